using System.Security.Cryptography;
using System.Text;

namespace Integrations.Domain.Inbound;

public enum HmacAlgorithm { Sha1, Sha256, Sha512 }

public enum SignatureEncoding { Hex, Base64 }

/// <summary>HMAC and comparisons shared by the verifiers; every comparison of secret-derived bytes is constant-time.</summary>
public static class SignatureMath
{
    public static byte[] Hmac(HmacAlgorithm algorithm, byte[] key, byte[] content) => algorithm switch
    {
        HmacAlgorithm.Sha1 => HMACSHA1.HashData(key, content),
        HmacAlgorithm.Sha512 => HMACSHA512.HashData(key, content),
        _ => HMACSHA256.HashData(key, content),
    };

    /// <summary>The signature as sent, decoded; null when it is not valid hex or base64 (a malformed header, not a wrong one).</summary>
    public static byte[]? Decode(string text, SignatureEncoding encoding)
    {
        try
        {
            return encoding == SignatureEncoding.Hex ? Convert.FromHexString(text) : Convert.FromBase64String(text);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>Constant-time for equal lengths; the length of an HMAC is public.</summary>
    public static bool Equal(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b) => CryptographicOperations.FixedTimeEquals(a, b);

    /// <summary>Constant-time comparison of two strings' UTF-8 bytes (basic-auth passwords, Graph's clientState).</summary>
    public static bool Equal(string a, string b)
    {
        // Hash first so that neither the content nor the length of the secret leaks through timing.
        return CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(a)), SHA256.HashData(Encoding.UTF8.GetBytes(b)));
    }

    /// <summary>A replay key from a signature (for schemes whose sender names no event id): the same request replayed has the same one.</summary>
    public static string SignatureKey(string timestamp, string signature) =>
        "sig:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(timestamp + "\n" + signature)));
}
