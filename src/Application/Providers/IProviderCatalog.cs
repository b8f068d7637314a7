using Integrations.Domain.Connections;

namespace Integrations.Application.Providers;

/// <summary>
/// The one registry of external systems (DESIGN: the catalog, the connect flow, the runtime and the
/// inbound receiver all read it): the built-in definitions with their configured overrides, and
/// providers defined wholly in configuration.
/// </summary>
public interface IProviderCatalog
{
    IReadOnlyList<ProviderDefinition> All { get; }

    /// <summary>The provider with this stable id, or null.</summary>
    ProviderDefinition? Find(string id);

    /// <summary>Whether our OAuth client id and secret for this provider are configured (without them its connect flow cannot start).</summary>
    bool HasOAuthClient(string id);

    /// <summary>Our OAuth client id at this provider (not a secret: it is in every authorization URL), or null when not configured.</summary>
    string? OAuthClientId(string id);

    /// <summary>The verifier of the provider's webhooks on <c>POST /inbound/{id}</c> (holding its configured secret), or null when it has no inbound settings.</summary>
    Domain.Inbound.IInboundVerifier? InboundVerifier(string id);

    /// <summary>The verifier of requests the provider signs as an HS256 JWT with our OAuth client secret (Atlassian's dynamic webhooks for OAuth apps), or null without a client.</summary>
    Domain.Inbound.IInboundVerifier? ClientJwtVerifier(string id);

    /// <summary>
    /// The verifier of webhooks the provider signs with our OAuth client secret by one of the inbound schemes
    /// (<paramref name="verifierKind"/>, e.g. <c>hubspot_v3</c> for a HubSpot app's webhooks), or null without a client.
    /// </summary>
    Domain.Inbound.IInboundVerifier? ClientSecretVerifier(string id, string verifierKind);
}
