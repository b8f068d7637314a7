using Integrations.Application.Connections;
using Integrations.Infrastructure.Persistence;

namespace Integrations.Infrastructure.Connections;

/// <summary><see cref="IConnectionHealthSchedule"/> on <c>connection_health_checks</c> (migration 0028).</summary>
public sealed class PostgresConnectionHealthSchedule(DbSession session) : IConnectionHealthSchedule
{
    public Task ScheduleAsync(Guid tenantId, Guid connectionId, DateTimeOffset next, CancellationToken ct) =>
        session.RunAsync((connection, transaction) => Sql.ExecuteAsync(connection, transaction, """
            insert into connection_health_checks (connection_id, tenant_id, next_check_at) values (@connection_id, @tenant_id, @next)
            on conflict (connection_id) do update set next_check_at = excluded.next_check_at
            where connection_health_checks.tenant_id = excluded.tenant_id
            """, ct, ("connection_id", connectionId), ("tenant_id", tenantId), ("next", Sql.Utc(next))), ct);

    public Task<IReadOnlyList<HealthCheckDue>> ClaimDueAsync(DateTimeOffset now, Func<Guid, DateTimeOffset> next, int limit, CancellationToken ct) =>
        session.RunAsync<IReadOnlyList<HealthCheckDue>>(async (connection, transaction) =>
        {
            // Skip what another instance is claiming right now; the rows stay locked until this transaction moves them on.
            var due = new List<HealthCheckDue>();
            await using (var select = Sql.Command(connection, transaction, """
                select h.tenant_id, h.connection_id from connection_health_checks h
                where h.next_check_at <= @now
                  and exists (select 1 from connections c where c.id = h.connection_id and c.status in ('connected', 'disconnected'))
                order by h.next_check_at
                limit @limit
                for update of h skip locked
                """, ("now", Sql.Utc(now)), ("limit", limit)))
            {
                await using var reader = await select.ExecuteReaderAsync(ct);
                while (await reader.ReadAsync(ct)) due.Add(new HealthCheckDue(reader.GetGuid(0), reader.GetGuid(1)));
            }
            if (due.Count == 0) return due;
            await Sql.ExecuteAsync(connection, transaction, """
                update connection_health_checks h set next_check_at = n.next
                from unnest(@ids, @nexts) as n(id, next) where h.connection_id = n.id
                """, ct, ("ids", due.Select(d => d.ConnectionId).ToArray()), ("nexts", due.Select(d => Sql.Utc(next(d.ConnectionId))).ToArray()));
            return due;
        }, ct);

    public Task RecordAsync(Guid tenantId, Guid connectionId, DateTimeOffset checkedAt, bool succeeded, CancellationToken ct) =>
        session.RunAsync((connection, transaction) => Sql.ExecuteAsync(connection, transaction, """
            update connection_health_checks set last_checked_at = @at, last_succeeded_at = case when @succeeded then @at else last_succeeded_at end
            where connection_id = @connection_id and tenant_id = @tenant_id
            """, ct, ("connection_id", connectionId), ("tenant_id", tenantId), ("at", Sql.Utc(checkedAt)), ("succeeded", succeeded)), ct);

    public Task RemoveAsync(Guid tenantId, Guid connectionId, CancellationToken ct) =>
        session.RunAsync((connection, transaction) => Sql.ExecuteAsync(connection, transaction,
            "delete from connection_health_checks where connection_id = @connection_id and tenant_id = @tenant_id", ct,
            ("connection_id", connectionId), ("tenant_id", tenantId)), ct);
}
