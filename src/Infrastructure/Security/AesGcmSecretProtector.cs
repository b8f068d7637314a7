using System.Security.Cryptography;
using System.Text;
using Integrations.Application.Common.Interfaces;
using Integrations.Infrastructure.Security.Keys;

namespace Integrations.Infrastructure.Security;

/// <summary>
/// AES-256-GCM with a random 96-bit nonce per value: <c>v1.&lt;key id&gt;.&lt;base64(nonce | ciphertext | tag)&gt;</c>.
/// The key id names the key that encrypted the value, so the platform key can be rotated: new values
/// use the current key, old values still decrypt with a previous one. The prefix is authenticated
/// (associated data), so a value cannot be relabelled to another key or format version. The keys are
/// the platform keys (<see cref="PlatformKeyRing"/>), the same ones that serve as the credential
/// vault's key-encryption keys; values sit in immutable events, so they are encrypted directly, not
/// re-wrappable envelopes (ADR 0014).
/// </summary>
public sealed class AesGcmSecretProtector(PlatformKeyRing ring) : ISecretProtector
{
    public const int KeyBytes = PlatformKeyRing.KeyBytes;
    private const string FormatVersion = "v1";
    private const int NonceBytes = 12;
    private const int TagBytes = 16;

    public AesGcmSecretProtector(byte[] currentKey, IEnumerable<byte[]> previousKeys) : this(new PlatformKeyRing(currentKey, previousKeys))
    {
    }

    /// <summary>A short public name for a key: 32 bits of its SHA-256, which says nothing useful about a 256-bit key.</summary>
    public static string KeyId(byte[] key) => PlatformKeyRing.KeyId(key);

    public string Protect(string plaintext)
    {
        var prefix = $"{FormatVersion}.{ring.CurrentKeyId}";
        var plain = Encoding.UTF8.GetBytes(plaintext);
        var sealedBox = new byte[NonceBytes + plain.Length + TagBytes];
        var nonce = sealedBox.AsSpan(0, NonceBytes);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(ring.CurrentKey, TagBytes);
        aes.Encrypt(nonce, plain, sealedBox.AsSpan(NonceBytes, plain.Length), sealedBox.AsSpan(NonceBytes + plain.Length), Encoding.ASCII.GetBytes(prefix));
        return $"{prefix}.{Convert.ToBase64String(sealedBox)}";
    }

    public string Unprotect(string protectedValue)
    {
        var parts = protectedValue.Split('.');
        if (parts is not [FormatVersion, var keyId, var payload])
            throw new CryptographicException("Not a protected value of a format this build knows.");
        if (!ring.TryGetKey(keyId, out var key))
            throw new CryptographicException(
                $"The value was protected with key '{keyId}', which is neither Secrets:EncryptionKey nor one of Secrets:PreviousEncryptionKeys (or a key of Secrets:KeyFile).");

        byte[] sealedBox;
        try
        {
            sealedBox = Convert.FromBase64String(payload);
        }
        catch (FormatException)
        {
            throw new CryptographicException("The protected value is damaged.");
        }
        if (sealedBox.Length < NonceBytes + TagBytes) throw new CryptographicException("The protected value is damaged.");

        var cipherLength = sealedBox.Length - NonceBytes - TagBytes;
        var plain = new byte[cipherLength];
        using var aes = new AesGcm(key, TagBytes);
        // Throws AuthenticationTagMismatchException (a CryptographicException) on any tampering.
        aes.Decrypt(sealedBox.AsSpan(0, NonceBytes), sealedBox.AsSpan(NonceBytes, cipherLength), sealedBox.AsSpan(NonceBytes + cipherLength),
            plain, Encoding.ASCII.GetBytes($"{FormatVersion}.{keyId}"));
        return Encoding.UTF8.GetString(plain);
    }
}
