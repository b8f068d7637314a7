using System.Security.Cryptography;
using System.Text;

namespace Integrations.Domain.Webhooks;

/// <summary>
/// Standard Webhooks signatures (standardwebhooks.com): "v1," + base64(HMAC-SHA256(secret,
/// "{webhook-id}.{webhook-timestamp}.{body}")), several space-separated in one header during a
/// secret rotation. Secrets are "whsec_" + base64 of 32 random bytes.
/// </summary>
public static class WebhookSignature
{
    public const string SecretPrefix = "whsec_";
    public const int SecretBytes = 32;

    public static string NewSecret() => SecretPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(SecretBytes));

    public static byte[] SecretKey(string secret) =>
        Convert.FromBase64String(secret.StartsWith(SecretPrefix, StringComparison.Ordinal) ? secret[SecretPrefix.Length..] : secret);

    public static string Sign(string webhookId, long timestampSeconds, ReadOnlySpan<byte> body, byte[] key)
    {
        var prefix = Encoding.UTF8.GetBytes($"{webhookId}.{timestampSeconds}.");
        var content = new byte[prefix.Length + body.Length];
        prefix.CopyTo(content, 0);
        body.CopyTo(content.AsSpan(prefix.Length));
        return "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, content));
    }

    /// <summary>The webhook-signature header value: one signature per secret still signing.</summary>
    public static string Header(string webhookId, long timestampSeconds, ReadOnlySpan<byte> body, IEnumerable<byte[]> keys)
    {
        var signatures = new List<string>();
        foreach (var key in keys) signatures.Add(Sign(webhookId, timestampSeconds, body, key));
        return string.Join(' ', signatures);
    }

    /// <summary>Constant-time check of a header against one key, with the timestamp inside the tolerance.</summary>
    public static bool Verify(string webhookId, long timestampSeconds, ReadOnlySpan<byte> body, string header, byte[] key, DateTimeOffset now, TimeSpan tolerance)
    {
        if (Math.Abs(now.ToUnixTimeSeconds() - timestampSeconds) > tolerance.TotalSeconds) return false;
        var expected = Encoding.ASCII.GetBytes(Sign(webhookId, timestampSeconds, body, key));
        foreach (var candidate in header.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            if (CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(candidate), expected)) return true;
        return false;
    }
}
