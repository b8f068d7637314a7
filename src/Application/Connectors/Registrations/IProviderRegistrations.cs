namespace Integrations.Application.Connectors.Registrations;

public static class RegistrationStatuses
{
    /// <summary>Tracked, not registered yet (the first check has not run, or nothing is wanted yet).</summary>
    public const string Pending = "pending";

    /// <summary>Nothing is registered and nothing is wanted (no route needs it): not listed; checked again when a route changes.</summary>
    public const string Idle = "idle";

    /// <summary>Registered at the provider as wanted, as of the last check.</summary>
    public const string Active = "active";

    /// <summary>The last check failed (<see cref="RegistrationRecord.LastError"/>); it is tried again sooner than the regular interval.</summary>
    public const string Failing = "failing";
}

/// <summary>A connection's registration of one kind, as kept in <c>provider_registrations</c>.</summary>
/// <param name="ExternalId">The provider's id; null until registered.</param>
/// <param name="Fingerprint">What it was registered as (<see cref="Domain.Connectors.Registrations.WantedRegistration.Fingerprint"/>).</param>
/// <param name="Events">The provider's event names it is registered for.</param>
/// <param name="Filter">The provider's filter (Jira: JQL).</param>
/// <param name="LastError">A short code (http_403, timeout, needs_reauth, no_public_url …); never the provider's answer.</param>
public sealed record RegistrationRecord(
    Guid TenantId, Guid ConnectionId, string Provider, string Kind, string Status, string? ExternalId, string? Fingerprint,
    string? Url, IReadOnlyList<string> Events, string? Filter, DateTimeOffset? ExpiresAt, DateTimeOffset? RegisteredAt,
    DateTimeOffset? LastCheckedAt, DateTimeOffset NextCheckAt, int FailuresInARow, string? LastError);

/// <summary>
/// The registration-health table (<c>provider_registrations</c>): one row per connection and kind.
/// Checks are claimed with a lease (SKIP LOCKED), so one process checks a registration at a time and a
/// dead one's checks come due again.
/// </summary>
public interface IProviderRegistrations
{
    /// <summary>Rows, due now, for the usable connections of these providers that have none.</summary>
    Task TrackAsync(IReadOnlyCollection<(string Provider, string Kind)> kinds, DateTimeOffset now, CancellationToken ct);

    /// <summary>At most <paramref name="limit"/> due checks no one holds, leased until <paramref name="now"/> + <paramref name="lease"/>.</summary>
    Task<IReadOnlyList<RegistrationRecord>> ClaimDueAsync(DateTimeOffset now, TimeSpan lease, int limit, CancellationToken ct);

    /// <summary>The connection's row of that kind (created if missing), leased; null while another process holds it.</summary>
    Task<RegistrationRecord?> ClaimAsync(Guid tenantId, Guid connectionId, string provider, string kind, DateTimeOffset now, TimeSpan lease, CancellationToken ct);

    /// <summary>Stores what a check found and releases its lease.</summary>
    Task SaveAsync(RegistrationRecord record, CancellationToken ct);

    Task ForgetAsync(Guid tenantId, Guid connectionId, string kind, CancellationToken ct);

    Task<IReadOnlyList<RegistrationRecord>> ListAsync(Guid tenantId, Guid connectionId, CancellationToken ct);

    /// <summary>The connection's checks are due now (its routes changed).</summary>
    Task MarkDueAsync(Guid tenantId, Guid connectionId, DateTimeOffset now, CancellationToken ct);
}
