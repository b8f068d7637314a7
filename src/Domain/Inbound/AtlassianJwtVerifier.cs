using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Integrations.Domain.Inbound;

/// <summary>
/// Atlassian's dynamic webhooks for OAuth 2.0 apps (developer.atlassian.com/cloud/jira/platform/webhooks/,
/// "Webhooks authentication for OAuth 2.0 apps"): <c>Authorization: Bearer &lt;JWT&gt;</c>, signed HS256 with the
/// app's client secret. The claims are not documented, so only what a JWT always means is checked: the
/// header's <c>alg</c> must be <c>HS256</c> (<c>none</c> and every other algorithm are refused), the signature
/// must match (constant-time), and an <c>exp</c> (seconds), when present, must not have passed (one minute of
/// clock skew). Pure: the caller gives the time.
/// </summary>
public sealed class AtlassianJwtVerifier(byte[] clientSecret) : IInboundVerifier
{
    private static readonly TimeSpan Skew = TimeSpan.FromMinutes(1);

    public Verification Verify(InboundRequest request, DateTimeOffset now)
    {
        var authorization = request.Header("Authorization");
        if (authorization is null || !authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            return Verification.Reject(RejectionReasons.MissingSignature);
        var parts = authorization[7..].Trim().Split('.');
        if (parts.Length != 3 || Decode(parts[0]) is not { } header || Decode(parts[1]) is not { } payload || Decode(parts[2]) is not { } signature)
            return Verification.Reject(RejectionReasons.MalformedSignature);
        if (Json(header) is not { } head || Json(payload) is not { } claims) return Verification.Reject(RejectionReasons.MalformedSignature);
        if (!head.TryGetProperty("alg", out var alg) || alg.ValueKind != JsonValueKind.String || alg.GetString() != "HS256")
            return Verification.Reject(RejectionReasons.InvalidSignature);

        var expected = HMACSHA256.HashData(clientSecret, Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]));
        if (signature.Length != expected.Length || !SignatureMath.Equal(signature, expected)) return Verification.Reject(RejectionReasons.InvalidSignature);
        if (claims.TryGetProperty("exp", out var exp))
        {
            if (exp.ValueKind != JsonValueKind.Number || !exp.TryGetInt64(out var seconds)) return Verification.Reject(RejectionReasons.MalformedSignature);
            if (DateTimeOffset.FromUnixTimeSeconds(Math.Clamp(seconds, 0, 253_402_300_799)) + Skew < now) return Verification.Reject(RejectionReasons.StaleTimestamp);
        }
        // The token itself is the replay key: a replay of the same signed delivery is the same token.
        return Verification.Accept(parts[2], "Authorization");
    }

    private static byte[]? Decode(string part)
    {
        if (part.Length == 0) return null;
        var base64 = part.Replace('-', '+').Replace('_', '/');
        base64 = base64.PadRight(base64.Length + (4 - base64.Length % 4) % 4, '=');
        try
        {
            return Convert.FromBase64String(base64);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static JsonElement? Json(byte[] bytes)
    {
        try
        {
            var element = JsonDocument.Parse(bytes).RootElement.Clone();
            return element.ValueKind == JsonValueKind.Object ? element : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
