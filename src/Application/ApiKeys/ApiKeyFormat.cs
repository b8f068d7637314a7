using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Integrations.Application.ApiKeys;

public sealed record GeneratedApiKey(string Key, string Prefix, string Hash);

/// <summary>
/// Tenant API keys: "ik_" + 8-character public prefix + "_" + 32 random bytes (base64url).
/// Only the SHA-256 of the whole key is stored: with 256 bits of entropy a slow hash adds nothing
/// but a per-request cost (ADR 0005). The prefix identifies a key in listings and logs.
/// </summary>
public static class ApiKeyFormat
{
    public const string Scheme = "ik_";

    public static GeneratedApiKey Generate()
    {
        var prefix = Scheme + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(6));
        var key = prefix + "_" + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        return new GeneratedApiKey(key, prefix, Hash(key));
    }

    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    public static bool LooksLikeApiKey(string token) => token.StartsWith(Scheme, StringComparison.Ordinal) && token.Length is > 20 and < 100;
}
