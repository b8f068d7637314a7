using System.Text;
using System.Text.Json;

namespace Integrations.Domain.Inbound;

/// <summary>
/// Exact Online webhooks sign inside the body: <c>{"Content":{…},"HashCode":"…"}</c>, where the hash
/// code is the upper-case hex HMAC-SHA256 of the <c>Content</c> value exactly as sent, keyed by the
/// webhook secret of the app (Exact's "Webhooks — authentication"; picqer/exact-php-client checks the
/// same). There is no timestamp and no event id: a notification only says that a record (Content.Key)
/// changed, so a replay at worst makes the connector read that record again. No replay key.
/// </summary>
public sealed class ExactOnlineVerifier(byte[] webhookSecret) : IInboundVerifier
{
    public Verification Verify(InboundRequest request, DateTimeOffset now)
    {
        string content;
        string? hashCode;
        try
        {
            using var document = JsonDocument.Parse(request.Body);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("Content", out var contentElement)
                || contentElement.ValueKind != JsonValueKind.Object)
                return Verification.Reject(RejectionReasons.MalformedBody);
            if (!root.TryGetProperty("HashCode", out var hash) || hash.ValueKind != JsonValueKind.String)
                return Verification.Reject(RejectionReasons.MissingSignature);
            // The raw text of the value as it arrived: the signature is over those bytes, not a re-serialisation.
            content = contentElement.GetRawText();
            hashCode = hash.GetString();
        }
        catch (JsonException)
        {
            return Verification.Reject(RejectionReasons.MalformedBody);
        }
        if (hashCode is null || SignatureMath.Decode(hashCode, SignatureEncoding.Hex) is not { Length: 32 } signature)
            return Verification.Reject(RejectionReasons.MalformedSignature);
        var expected = SignatureMath.Hmac(HmacAlgorithm.Sha256, webhookSecret, Encoding.UTF8.GetBytes(content));
        return SignatureMath.Equal(signature, expected) ? Verification.Accept(null) : Verification.Reject(RejectionReasons.InvalidSignature);
    }
}
