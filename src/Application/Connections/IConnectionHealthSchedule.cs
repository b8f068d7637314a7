namespace Integrations.Application.Connections;

/// <summary>A connection whose periodic health check is due.</summary>
public sealed record HealthCheckDue(Guid TenantId, Guid ConnectionId);

/// <summary>
/// When each connection's health check runs (table connection_health_checks), owned by the health
/// use cases: a row per authorized connection with its next check, and what the last one found.
/// </summary>
public interface IConnectionHealthSchedule
{
    /// <summary>Schedules the connection's checks (a new authorization): the first at <paramref name="next"/>.</summary>
    Task ScheduleAsync(Guid tenantId, Guid connectionId, DateTimeOffset next, CancellationToken ct);

    /// <summary>
    /// Claims up to <paramref name="limit"/> due checks of connected or disconnected connections, by
    /// moving each one's next check to <paramref name="next"/>(its id) first: every Workers instance
    /// may claim, and a claimed check is never run twice (a crash skips it until its next slot).
    /// </summary>
    Task<IReadOnlyList<HealthCheckDue>> ClaimDueAsync(DateTimeOffset now, Func<Guid, DateTimeOffset> next, int limit, CancellationToken ct);

    Task RecordAsync(Guid tenantId, Guid connectionId, DateTimeOffset checkedAt, bool succeeded, CancellationToken ct);

    Task RemoveAsync(Guid tenantId, Guid connectionId, CancellationToken ct);
}
