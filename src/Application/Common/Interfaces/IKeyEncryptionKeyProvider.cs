namespace Integrations.Application.Common.Interfaces;

/// <summary>
/// The key-encryption keys (KEKs) of envelope encryption (ADR 0014): a provider wraps (encrypts) a
/// random data key under its current KEK and unwraps data keys wrapped under any KEK it still has.
/// The KEKs never leave the provider; a remote KMS (Vault transit, a cloud KMS) is a network call,
/// hence asynchronous. Built in: the platform keys from configuration (Secrets:EncryptionKey and
/// Secrets:PreviousEncryptionKeys) or from a key file (Secrets:KeyFile). Register another
/// implementation as a singleton after AddInfrastructure to plug a KMS in (docs/connections.md).
/// </summary>
/// <remarks>
/// Failure semantics: a <see cref="System.Security.Cryptography.CryptographicException"/> says that
/// this wrapped key can never be opened with this provider as configured (an unknown or destroyed key
/// id, a wrapped key that fails authentication): retrying does not help. Any other exception (a
/// timeout, a refused connection, throttling) is transient: callers fail the operation and retry later.
/// Messages never contain key material.
/// </remarks>
public interface IKeyEncryptionKeyProvider
{
    /// <summary>
    /// The id of the KEK that <see cref="WrapAsync"/> wraps under now. Printable ASCII, at most
    /// 200 characters, stable for the key's lifetime (it is stored beside every wrapped data key).
    /// Called once per rotation run and per rotation batch: a remote provider may cache it briefly.
    /// </summary>
    ValueTask<string> GetCurrentKeyIdAsync(CancellationToken ct);

    /// <summary>Wraps <paramref name="dataKey"/> (32 bytes) under the current KEK; returns that KEK's id and the wrapped key.</summary>
    Task<WrappedDataKey> WrapAsync(ReadOnlyMemory<byte> dataKey, CancellationToken ct);

    /// <summary>The data key that <paramref name="wrappedKey"/> holds, wrapped under the KEK <paramref name="keyId"/> (current or previous).</summary>
    Task<byte[]> UnwrapAsync(string keyId, ReadOnlyMemory<byte> wrappedKey, CancellationToken ct);
}

/// <param name="KeyId">The KEK the data key is wrapped under.</param>
/// <param name="WrappedKey">The wrapped data key, opaque to everything but the provider.</param>
public sealed record WrappedDataKey(string KeyId, byte[] WrappedKey);
