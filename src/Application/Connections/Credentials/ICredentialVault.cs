namespace Integrations.Application.Connections.Credentials;

/// <summary>
/// The connections' credentials at rest, encrypted per record with its own data key (envelope
/// encryption, ADR 0014). Every operation names the tenant: a credential is found only by its owner.
/// Writes join the current unit of work's transaction when one is open (<c>IUnitOfWork</c>), so a
/// credential commits with the events that refer to its version, or not at all.
/// </summary>
public interface ICredentialVault
{
    /// <summary>
    /// Stores the credential of a new authorization: the first one (version 1), or one that replaces
    /// whatever the connection held, unconditionally (a reconnect: the user's new grant wins).
    /// Returns the version now stored. A connection id that belongs to another tenant is a conflict.
    /// </summary>
    Task<int> StoreAsync(Guid tenantId, Guid connectionId, ConnectionCredential credential, CancellationToken ct);

    /// <summary>The tenant's credential of the connection, decrypted; null if there is none (or it is another tenant's).</summary>
    /// <exception cref="CredentialUnreadableException">The record cannot be decrypted with the configured keys (or was tampered with).</exception>
    Task<StoredCredential?> ReadAsync(Guid tenantId, Guid connectionId, CancellationToken ct);

    /// <summary>
    /// Compare-and-swap: replaces the credential only if its stored version is still
    /// <paramref name="expectedVersion"/>, and says whether it did. Store a rotated or single-use
    /// refresh token this way before using the new access token: a writer that lost the race learns
    /// it here (and must read the winner's credential) instead of overwriting it.
    /// </summary>
    /// <param name="refreshTokenUsed">The replacement came from exercising the refresh token (a refresh): it counts as exercised now.</param>
    Task<CredentialReplacement> ReplaceAsync(Guid tenantId, Guid connectionId, int expectedVersion, ConnectionCredential credential, bool refreshTokenUsed,
        CancellationToken ct);

    /// <summary>
    /// Deletes the record with its wrapped data key, so nothing of it is decryptable from the live
    /// table (ADR 0014: row versions PostgreSQL has not vacuumed yet, WAL and backups keep it until
    /// they are gone). Returns whether there was one.
    /// </summary>
    Task<bool> EraseAsync(Guid tenantId, Guid connectionId, CancellationToken ct);

    /// <summary>
    /// The credentials a token sweep must look at, across tenants, ids only: access tokens expiring
    /// before <paramref name="accessExpiresBefore"/>, and refresh tokens not exercised since
    /// <paramref name="refreshExercisedBefore"/>. At most <paramref name="limit"/>, soonest first.
    /// </summary>
    Task<IReadOnlyList<CredentialRef>> FindDueAsync(DateTimeOffset accessExpiresBefore, DateTimeOffset refreshExercisedBefore, int limit,
        CancellationToken ct);
}

/// <param name="Version">Increases with every store and replacement; the connection's events name the version they refer to.</param>
/// <param name="RefreshExercisedAt">When the refresh token was issued or last used, if there is one.</param>
public sealed record StoredCredential(Guid TenantId, Guid ConnectionId, int Version, ConnectionCredential Credential, DateTimeOffset UpdatedAt,
    DateTimeOffset? RefreshExercisedAt);

/// <param name="Replaced">Whether this write won.</param>
/// <param name="CurrentVersion">The version stored now: the new one if replaced; else the winner's, or null when the credential is gone.</param>
public sealed record CredentialReplacement(bool Replaced, int? CurrentVersion);

public sealed record CredentialRef(Guid TenantId, Guid ConnectionId);

/// <summary>
/// A stored credential that the configured keys cannot open: its key-encryption key is not
/// configured any more, or the record was altered or moved to another row. Names the connection
/// and the key id, never anything of the credential.
/// </summary>
public sealed class CredentialUnreadableException(Guid connectionId, string keyId, Exception inner)
    : Exception($"The credential of connection {connectionId} cannot be decrypted (its data key is wrapped under key '{keyId}'): {inner.Message}", inner)
{
    public Guid ConnectionId { get; } = connectionId;

    public string KeyId { get; } = keyId;
}
