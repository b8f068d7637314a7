using System.Security.Cryptography;
using System.Text;
using Integrations.Application.Common.Interfaces;

namespace Integrations.Infrastructure.Security;

/// <summary>A credential record as stored: the KEK id, the data key wrapped under it, and the record encrypted under the data key.</summary>
public sealed record SealedCredential(string KeyId, byte[] WrappedKey, byte[] Ciphertext);

/// <summary>
/// Envelope encryption of one credential record (ADR 0014). Every seal draws a fresh random 256-bit
/// data key (DEK), encrypts the record with AES-256-GCM under it and has the key provider wrap the
/// DEK under its current KEK. The ciphertext is <c>format (1 byte) | nonce (12) | ciphertext | tag (16)</c>;
/// its associated data binds the format, the tenant and the connection, so a ciphertext copied to
/// another row or tenant, or relabelled to another format, fails to open.
/// </summary>
public sealed class CredentialEnvelope(IKeyEncryptionKeyProvider keys)
{
    public const byte FormatVersion = 1;
    public const int DataKeyBytes = 32;
    private const int NonceBytes = 12;
    private const int TagBytes = 16;
    private const int Overhead = 1 + NonceBytes + TagBytes;

    public async Task<SealedCredential> SealAsync(Guid tenantId, Guid connectionId, byte[] plaintext, CancellationToken ct)
    {
        var dataKey = RandomNumberGenerator.GetBytes(DataKeyBytes);
        try
        {
            var wrapped = await keys.WrapAsync(dataKey, ct);
            return new SealedCredential(wrapped.KeyId, wrapped.WrappedKey, Encrypt(dataKey, plaintext, tenantId, connectionId));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
        }
    }

    /// <summary>The record's plaintext; a <see cref="CryptographicException"/> if anything about it is not authentic or its KEK is unknown.</summary>
    public async Task<byte[]> OpenAsync(Guid tenantId, Guid connectionId, SealedCredential sealedCredential, CancellationToken ct)
    {
        var dataKey = await keys.UnwrapAsync(sealedCredential.KeyId, sealedCredential.WrappedKey, ct);
        try
        {
            return Decrypt(dataKey, sealedCredential.Ciphertext, tenantId, connectionId);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
        }
    }

    /// <summary>The same data key under the provider's current KEK (a rotation); the ciphertext stays as it is.</summary>
    public async Task<WrappedDataKey> RewrapAsync(string keyId, byte[] wrappedKey, CancellationToken ct)
    {
        var dataKey = await keys.UnwrapAsync(keyId, wrappedKey, ct);
        try
        {
            if (dataKey.Length != DataKeyBytes) throw new CryptographicException("The wrapped data key has the wrong length.");
            return await keys.WrapAsync(dataKey, ct);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
        }
    }

    /// <summary>Binds the ciphertext to its format and row: fixed-length parts, so no two rows share it.</summary>
    public static byte[] AssociatedData(byte formatVersion, Guid tenantId, Guid connectionId) =>
        Encoding.ASCII.GetBytes($"connection-credential/v{formatVersion}/{tenantId:D}/{connectionId:D}");

    private static byte[] Encrypt(byte[] dataKey, byte[] plaintext, Guid tenantId, Guid connectionId)
    {
        var box = new byte[Overhead + plaintext.Length];
        box[0] = FormatVersion;
        var nonce = box.AsSpan(1, NonceBytes);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(dataKey, TagBytes);
        aes.Encrypt(nonce, plaintext, box.AsSpan(1 + NonceBytes, plaintext.Length), box.AsSpan(box.Length - TagBytes),
            AssociatedData(FormatVersion, tenantId, connectionId));
        return box;
    }

    private static byte[] Decrypt(byte[] dataKey, byte[] box, Guid tenantId, Guid connectionId)
    {
        if (box.Length < Overhead) throw new CryptographicException("The encrypted credential is damaged.");
        if (box[0] != FormatVersion) throw new CryptographicException($"The encrypted credential has format {box[0]}, which this build does not know.");
        if (dataKey.Length != DataKeyBytes) throw new CryptographicException("The wrapped data key has the wrong length.");
        var plaintext = new byte[box.Length - Overhead];
        using var aes = new AesGcm(dataKey, TagBytes);
        // Throws AuthenticationTagMismatchException (a CryptographicException) on tampering, another row's ciphertext or the wrong data key.
        aes.Decrypt(box.AsSpan(1, NonceBytes), box.AsSpan(1 + NonceBytes, plaintext.Length), box.AsSpan(box.Length - TagBytes), plaintext,
            AssociatedData(box[0], tenantId, connectionId));
        return plaintext;
    }
}
