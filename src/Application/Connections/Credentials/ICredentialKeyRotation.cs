namespace Integrations.Application.Connections.Credentials;

/// <summary>
/// Moves the credentials' data keys onto the current key-encryption key (ADR 0014): each data key
/// is unwrapped and wrapped again; the encrypted credential itself is not touched, and neither is
/// its version, so writers racing a rotation never lose to it.
/// </summary>
public interface ICredentialKeyRotation
{
    /// <summary>
    /// Re-wraps the data keys of up to <paramref name="limit"/> credentials, in connection id order
    /// after <paramref name="after"/>, that are not under the current KEK. Each is written back only
    /// if the row is unchanged since it was read (compare-and-swap): a writer that replaced it
    /// meanwhile wins, and wrote under the current KEK anyway.
    /// </summary>
    Task<RewrapBatch> RewrapBatchAsync(Guid? after, int limit, CancellationToken ct);

    /// <summary>How many credentials each key-encryption key holds.</summary>
    Task<IReadOnlyList<CredentialKeyUsage>> CountByKeyAsync(CancellationToken ct);
}

/// <param name="Selected">Credentials found not under the current KEK (fewer than the limit: the end was reached).</param>
/// <param name="ChangedConcurrently">Replaced by a writer between read and write-back: left as the writer wrote it.</param>
/// <param name="Unreadable">Wrapped under a key the provider does not have (or damaged): left as they are, and logged.</param>
/// <param name="Last">The last connection id looked at: where the next batch starts.</param>
public sealed record RewrapBatch(int Selected, int Rewrapped, int ChangedConcurrently, int Unreadable, Guid? Last);

public sealed record CredentialKeyUsage(string KeyId, long Credentials);
