using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Integrations.Application.OAuth;

/// <summary>Random bearer secrets (codes, refresh tokens, invitations, client secrets) and their stored form.</summary>
public static class OpaqueSecret
{
    public static string Generate(string prefix) => prefix + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    /// <summary>SHA-256: the values carry 256 random bits, so a slow hash adds nothing (as for API keys).</summary>
    public static string Hash(string value) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)));
}
