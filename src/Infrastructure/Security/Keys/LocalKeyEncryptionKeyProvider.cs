using System.Security.Cryptography;
using System.Text;
using Integrations.Application.Common.Interfaces;

namespace Integrations.Infrastructure.Security.Keys;

/// <summary>
/// The built-in key-encryption keys: the platform keys themselves (<see cref="PlatformKeyRing"/>,
/// from configuration or a key file), with their usual key ids. A data key is wrapped with
/// AES-256-GCM: <c>nonce (12) | wrapped key | tag (16)</c>, the KEK's id and the format bound as
/// associated data, so a wrapped key relabelled to another KEK fails to open. No I/O: the
/// asynchronous signatures are for remote providers.
/// </summary>
public sealed class LocalKeyEncryptionKeyProvider(PlatformKeyRing ring) : IKeyEncryptionKeyProvider
{
    private const int NonceBytes = 12;
    private const int TagBytes = 16;

    public ValueTask<string> GetCurrentKeyIdAsync(CancellationToken ct) => ValueTask.FromResult(ring.CurrentKeyId);

    public Task<WrappedDataKey> WrapAsync(ReadOnlyMemory<byte> dataKey, CancellationToken ct)
    {
        var keyId = ring.CurrentKeyId;
        var wrapped = new byte[NonceBytes + dataKey.Length + TagBytes];
        var nonce = wrapped.AsSpan(0, NonceBytes);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(ring.CurrentKey, TagBytes);
        aes.Encrypt(nonce, dataKey.Span, wrapped.AsSpan(NonceBytes, dataKey.Length), wrapped.AsSpan(NonceBytes + dataKey.Length), AssociatedData(keyId));
        return Task.FromResult(new WrappedDataKey(keyId, wrapped));
    }

    public Task<byte[]> UnwrapAsync(string keyId, ReadOnlyMemory<byte> wrappedKey, CancellationToken ct)
    {
        if (!ring.TryGetKey(keyId, out var kek))
            throw new CryptographicException(
                $"Key '{keyId}' is not configured: it is neither Secrets:EncryptionKey nor one of Secrets:PreviousEncryptionKeys (or a key of Secrets:KeyFile).");
        var wrapped = wrappedKey.Span;
        if (wrapped.Length <= NonceBytes + TagBytes) throw new CryptographicException("The wrapped data key is damaged.");
        var dataKey = new byte[wrapped.Length - NonceBytes - TagBytes];
        using var aes = new AesGcm(kek, TagBytes);
        // Throws AuthenticationTagMismatchException (a CryptographicException) on any tampering or the wrong key.
        aes.Decrypt(wrapped[..NonceBytes], wrapped.Slice(NonceBytes, dataKey.Length), wrapped[^TagBytes..], dataKey, AssociatedData(keyId));
        return Task.FromResult(dataKey);
    }

    private static byte[] AssociatedData(string keyId) => Encoding.ASCII.GetBytes("kek-wrap/v1/" + keyId);
}
