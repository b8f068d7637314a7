using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Integrations.Bench;

/// <summary>Signs a request as a Standard Webhooks sender does: HMAC-SHA256 of id.timestamp.body with the whsec_ secret.</summary>
public sealed class StandardWebhooksSigner(string secret)
{
    private readonly byte[] _key = Convert.FromBase64String(secret["whsec_".Length..]);

    public HttpRequestMessage Sign(Uri url, string id, string body)
    {
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var signature = Convert.ToBase64String(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes($"{id}.{timestamp}.{body}")));
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("webhook-id", id);
        request.Headers.Add("webhook-timestamp", timestamp);
        request.Headers.Add("webhook-signature", "v1," + signature);
        return request;
    }
}
