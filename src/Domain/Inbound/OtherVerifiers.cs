using System.Globalization;
using System.Text;
using System.Text.Json;
using Integrations.Domain.Webhooks;

namespace Integrations.Domain.Inbound;

/// <summary>
/// Stripe: <c>Stripe-Signature: t=…,v1=…[,v1=…]</c>, hex HMAC-SHA256 of <c>{t}.{body}</c> under the
/// endpoint secret (the whole <c>whsec_…</c> string is the key), refused outside the tolerance (Stripe's
/// libraries: 5 minutes). Several v1 entries appear during a secret rotation; one must match. The
/// event's <c>id</c> is the replay key.
/// </summary>
public sealed class StripeVerifier(string secret, TimeSpan? tolerance = null) : IInboundVerifier
{
    public const string Header = "Stripe-Signature";

    public Verification Verify(InboundRequest request, DateTimeOffset now)
    {
        if (request.Header(Header) is not { Length: > 0 } header) return Verification.Reject(RejectionReasons.MissingSignature);
        string? t = null;
        var signatures = new List<byte[]>();
        foreach (var part in header.Split(','))
        {
            var equals = part.IndexOf('=');
            if (equals <= 0) continue;
            var (name, value) = (part[..equals].Trim(), part[(equals + 1)..].Trim());
            if (name == "t") t = value;
            else if (name == "v1" && SignatureMath.Decode(value, SignatureEncoding.Hex) is { } decoded) signatures.Add(decoded);
        }
        if (t is null || !long.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var timestamp) || signatures.Count == 0)
            return Verification.Reject(RejectionReasons.MalformedSignature);
        if (Math.Abs(now.ToUnixTimeSeconds() - timestamp) > (tolerance ?? HmacScheme.DefaultTolerance).TotalSeconds)
            return Verification.Reject(RejectionReasons.StaleTimestamp);
        var expected = SignatureMath.Hmac(HmacAlgorithm.Sha256, Encoding.UTF8.GetBytes(secret), [.. Encoding.UTF8.GetBytes(t + "."), .. request.Body]);
        var matched = false;
        foreach (var signature in signatures) matched |= SignatureMath.Equal(signature, expected);
        if (!matched) return Verification.Reject(RejectionReasons.InvalidSignature);
        return Verification.Accept(BodyPath.String(request.Body, "id") ?? SignatureMath.SignatureKey(t, header), Header);
    }
}

/// <summary>Standard Webhooks (standardwebhooks.com): <c>webhook-id</c>, <c>webhook-timestamp</c>, <c>webhook-signature</c>; the webhook id is the replay key.</summary>
public sealed class StandardWebhooksVerifier(string secret, TimeSpan? tolerance = null) : IInboundVerifier
{
    public Verification Verify(InboundRequest request, DateTimeOffset now)
    {
        if (request.Header("webhook-id") is not { Length: > 0 } id || request.Header("webhook-timestamp") is not { Length: > 0 } timestampText
            || request.Header("webhook-signature") is not { Length: > 0 } signature)
            return Verification.Reject(RejectionReasons.MissingSignature);
        if (!long.TryParse(timestampText, NumberStyles.None, CultureInfo.InvariantCulture, out var timestamp)) return Verification.Reject(RejectionReasons.MalformedSignature);
        var window = tolerance ?? HmacScheme.DefaultTolerance;
        if (Math.Abs(now.ToUnixTimeSeconds() - timestamp) > window.TotalSeconds) return Verification.Reject(RejectionReasons.StaleTimestamp);
        byte[] key;
        try
        {
            key = WebhookSignature.SecretKey(secret);
        }
        catch (FormatException)
        {
            return Verification.Reject(RejectionReasons.InvalidSignature);
        }
        return WebhookSignature.Verify(id, timestamp, request.Body, signature, key, now, window)
            ? Verification.Accept(id, "webhook-id", "webhook-timestamp", "webhook-signature")
            : Verification.Reject(RejectionReasons.InvalidSignature);
    }
}

/// <summary>
/// Microsoft Graph change notifications carry no signature: each notification in <c>value</c> echoes
/// the <c>clientState</c> we gave the subscription, and every one must match. No event id: no replay key.
/// </summary>
public sealed class GraphClientStateVerifier(string clientState) : IInboundVerifier
{
    public Verification Verify(InboundRequest request, DateTimeOffset now)
    {
        try
        {
            using var document = JsonDocument.Parse(request.Body);
            if (document.RootElement.ValueKind != JsonValueKind.Object || !document.RootElement.TryGetProperty("value", out var value)
                || value.ValueKind != JsonValueKind.Array || value.GetArrayLength() == 0)
                return Verification.Reject(RejectionReasons.MalformedBody);
            var matched = true;
            foreach (var notification in value.EnumerateArray())
            {
                var sent = notification.ValueKind == JsonValueKind.Object && notification.TryGetProperty("clientState", out var state) && state.ValueKind == JsonValueKind.String
                    ? state.GetString()!
                    : null;
                if (sent is null) return Verification.Reject(RejectionReasons.MissingSignature);
                matched &= SignatureMath.Equal(sent, clientState);
            }
            return matched ? Verification.Accept(null) : Verification.Reject(RejectionReasons.InvalidSignature);
        }
        catch (JsonException)
        {
            return Verification.Reject(RejectionReasons.MalformedBody);
        }
    }
}

/// <summary>HTTP basic authentication (RFC 7617), for senders that sign nothing (Mailjet-style parse hooks). The Authorization header is never kept.</summary>
public sealed class BasicAuthVerifier(string username, string password) : IInboundVerifier
{
    public Verification Verify(InboundRequest request, DateTimeOffset now)
    {
        if (request.Header("Authorization") is not { } header || !header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
            return Verification.Reject(RejectionReasons.MissingSignature);
        string decoded;
        try
        {
            decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header["Basic ".Length..].Trim()));
        }
        catch (FormatException)
        {
            return Verification.Reject(RejectionReasons.MalformedSignature);
        }
        var colon = decoded.IndexOf(':');
        if (colon < 0) return Verification.Reject(RejectionReasons.MalformedSignature);
        // Both compared, always: which one was wrong must not show in the time taken.
        var userMatches = SignatureMath.Equal(decoded[..colon], username);
        var passwordMatches = SignatureMath.Equal(decoded[(colon + 1)..], password);
        return userMatches & passwordMatches ? Verification.Accept(null) : Verification.Reject(RejectionReasons.InvalidSignature);
    }
}
