using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Integrations.Domain.Connectors.Teams;

/// <summary>
/// The signed link of a tenant's Teams tab (<c>/teams/tab?tenant=…&amp;expires=…&amp;sig=…</c>): an
/// HMAC-SHA256 of the tenant and the expiry with the platform's tab key, so the page shows one
/// tenant's data to whoever holds the link the tenant put in its Teams app, until it expires. Pure.
/// </summary>
public static class TeamsTabLink
{
    public const string Path = "/teams/tab";

    public static string Signature(byte[] key, Guid tenantId, long expiresAt) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"teams-tab:{tenantId:D}:{expiresAt.ToString(CultureInfo.InvariantCulture)}")));

    /// <summary>The link's query for <paramref name="tenantId"/>, valid until <paramref name="expiresAt"/>.</summary>
    public static string Query(byte[] key, Guid tenantId, DateTimeOffset expiresAt)
    {
        var expires = expiresAt.ToUnixTimeSeconds();
        return $"tenant={tenantId:D}&expires={expires.ToString(CultureInfo.InvariantCulture)}&sig={Signature(key, tenantId, expires)}";
    }

    /// <summary><c>invalid_link</c> (missing, malformed or tampered) or <c>expired_link</c>; null with the tenant when the link holds.</summary>
    public static (Guid? Tenant, string? Refusal) Check(byte[] key, string? tenant, string? expires, string? signature, DateTimeOffset now)
    {
        if (!Guid.TryParseExact(tenant, "D", out var tenantId) || !long.TryParse(expires, NumberStyles.None, CultureInfo.InvariantCulture, out var expiresAt)
            || signature is not { Length: 64 })
            return (null, "invalid_link");
        var expected = Encoding.ASCII.GetBytes(Signature(key, tenantId, expiresAt));
        if (!CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(signature))) return (null, "invalid_link");
        return expiresAt <= now.ToUnixTimeSeconds() ? (null, "expired_link") : (tenantId, null);
    }
}
