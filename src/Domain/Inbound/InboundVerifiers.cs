using System.Text;

namespace Integrations.Domain.Inbound;

/// <summary>
/// How a provider's traffic reaches us on <c>POST /inbound/{provider}</c>: the scheme that proves it came
/// from the provider, and where its payload names the account (the Slack team, the HubSpot portal)
/// that routes it through the identity map to the tenants holding a connection to that account.
/// </summary>
/// <param name="Verifier">One of <see cref="InboundVerifiers.ProviderKinds"/>.</param>
/// <param name="AccountIdPath">A dotted path into the JSON body (a number step indexes an array: <c>0.portalId</c>), or a form field's name.</param>
public sealed record InboundSettings(string Verifier, string AccountIdPath);

/// <summary>The provider-wide verifier kinds and the one place that turns a kind and its secret into a verifier.</summary>
public static class InboundVerifiers
{
    public const string Slack = "slack";
    public const string HubSpotV3 = "hubspot_v3";
    public const string GitHub = "github";
    public const string Stripe = "stripe";
    public const string StandardWebhooks = "standard_webhooks";
    public const string Shopify = "shopify";
    public const string GraphClientState = "graph_client_state";
    public const string Basic = "basic";
    public const string Jira = "jira";
    public const string ExactOnline = "exact_online";

    public static readonly IReadOnlyList<string> ProviderKinds = [Slack, HubSpotV3, GitHub, Stripe, StandardWebhooks, Shopify, GraphClientState, Basic, Jira, ExactOnline];

    /// <param name="username">Basic auth only.</param>
    public static IInboundVerifier ForProvider(string kind, string secret, string? username = null) => kind switch
    {
        Slack => new HmacVerifier(ProviderSchemes.Slack, Encoding.UTF8.GetBytes(secret)),
        HubSpotV3 => new HubSpotVerifier(Encoding.UTF8.GetBytes(secret)),
        GitHub => new HmacVerifier(ProviderSchemes.GitHub, Encoding.UTF8.GetBytes(secret)),
        Shopify => new HmacVerifier(ProviderSchemes.Shopify, Encoding.UTF8.GetBytes(secret)),
        Stripe => new StripeVerifier(secret),
        StandardWebhooks => new StandardWebhooksVerifier(secret),
        GraphClientState => new GraphClientStateVerifier(secret),
        Basic => new BasicAuthVerifier(username ?? "", secret),
        Jira => new HmacVerifier(ProviderSchemes.Jira, Encoding.UTF8.GetBytes(secret)),
        ExactOnline => new ExactOnlineVerifier(Encoding.UTF8.GetBytes(secret)),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown inbound verifier."),
    };
}
