using Integrations.Domain.Connectors.Teams;

namespace Integrations.Application.Connectors;

/// <summary>A token's claims once its signature checked out, or why it did not (<c>invalid_signature</c>, <c>unknown_key</c>, <c>keys_unavailable</c> …).</summary>
public sealed record BotTokenRead(BotTokenClaims? Claims, string? Refusal);

/// <summary>
/// The Bot Connector's signing keys (its OpenID metadata and JWKS, from configuration-overridable
/// URLs): checks a token's RS256 signature by the key its <c>kid</c> names. The claims are judged by
/// <see cref="BotTokenRules"/>.
/// </summary>
public interface IBotConnectorTokens
{
    /// <summary>The issuer tokens must name (Microsoft's, or the fake's in tests).</summary>
    string Issuer { get; }

    Task<BotTokenRead> ReadAsync(string token, CancellationToken ct);
}
