using System.Text.Json.Nodes;
using Integrations.Application.Providers;
using Integrations.Domain.Inbound;

namespace Integrations.Application.Connectors;

/// <summary>What Slack's interactivity and slash command URLs answer.</summary>
public abstract record SlackRequestOutcome
{
    /// <summary>Verified and handled: <paramref name="Message"/> to show the user (slash commands), or null for an empty 200.</summary>
    public sealed record Handled(JsonObject? Message = null) : SlackRequestOutcome;

    public sealed record Rejected(string Reason) : SlackRequestOutcome;

    /// <summary>The slack provider has no inbound settings (no signing secret): there are no such URLs.</summary>
    public sealed record NotConfigured : SlackRequestOutcome;
}

/// <summary>The check every request Slack sends us passes first: the app's signing secret (v0 HMAC, 5 minutes), by the provider's inbound verifier.</summary>
public static class SlackRequests
{
    public const string Provider = "slack";

    /// <summary>Null when the request verifies; otherwise what to answer.</summary>
    public static SlackRequestOutcome? Refusal(IProviderCatalog providers, InboundRequest request, DateTimeOffset now)
    {
        if (providers.InboundVerifier(Provider) is not { } verifier) return new SlackRequestOutcome.NotConfigured();
        var verification = verifier.Verify(request, now);
        return verification.Verified ? null : new SlackRequestOutcome.Rejected(verification.Reason ?? RejectionReasons.InvalidSignature);
    }
}
