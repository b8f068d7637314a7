using System.Text.Json;
using Integrations.Application.Common;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Connectors;
using Integrations.Application.Connectors.Pipelines.Calls;
using Integrations.Infrastructure.Persistence;
using Npgsql;

namespace Integrations.Infrastructure.Connectors;

/// <summary>
/// The dispatchers' side of <c>connector_calls</c> (<see cref="IConnectorCallClaims"/>). A claim is
/// one short transaction, so no provider call ever holds one open: it reads due rows with SKIP
/// LOCKED, lets the admission take those it has room for, and leases them by moving their due time
/// to the lease's end. A process that dies mid-call loses nothing: the call is due again when its
/// lease runs out, and goes with the same idempotency key.
/// </summary>
public sealed class ConnectorCallClaims(NpgsqlDataSource dataSource, IClock clock) : IConnectorCallClaims
{
    private const string SelectDue = """
        select c.id, c.tenant_id, c.connection_id, c.route_id, c.provider, c.action, c.event_id, c.event_type, c.request::text, c.attempt_count,
               c.cycle_attempts
        from connector_calls c
        where c.status = 'pending' and c.next_attempt_at <= now()
          and c.connection_id <> all(@excluded_connections) and c.provider <> all(@excluded_providers)
          and not exists (select 1 from connector_connection_state s
                          where s.connection_id = c.connection_id and s.circuit_state = 'open' and s.open_until > now())
        order by c.next_attempt_at, c.id
        limit @limit
        for update of c skip locked
        """;

    public async Task<CallClaim> ClaimAsync(int limit, IReadOnlyCollection<Guid> excludedConnections, IReadOnlyCollection<string> excludedProviders,
        Func<ClaimedCall, bool> admit, TimeSpan lease, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        // Microseconds, as PostgreSQL keeps it: the result of the run is recorded only against this exact lease.
        var leaseUntil = SystemClock.ToMicroseconds(clock.UtcNow + lease);
        var read = 0;
        var claimed = new List<ClaimedCall>();
        await using (var select = Sql.Command(connection, transaction, SelectDue, ("excluded_connections", excludedConnections.ToArray()),
                         ("excluded_providers", excludedProviders.ToArray()), ("limit", limit)))
        await using (var reader = await select.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                read++;
                var call = new ClaimedCall(reader.GetGuid(0), reader.GetGuid(1), reader.GetGuid(2), reader.GetGuid(3), reader.GetString(4), reader.GetString(5),
                    reader.GetGuid(6), reader.GetString(7), JsonSerializer.Deserialize<PreparedRequest>(reader.GetString(8), JsonDefaults.Options)!,
                    reader.GetInt32(9), reader.GetInt32(10), leaseUntil);
                if (admit(call)) claimed.Add(call);
            }
        }
        if (claimed.Count > 0)
        {
            await Sql.ExecuteAsync(connection, transaction,
                "update connector_calls set next_attempt_at = @lease_until, lease_until = @lease_until, updated_at = now() where id = any(@ids)", ct,
                ("lease_until", Sql.Utc(leaseUntil)), ("ids", claimed.Select(c => c.Id).ToArray()));
        }
        // A full read is followed by another claim at once, which does not need to know when the next call is due.
        var more = read == limit;
        DateTimeOffset? nextDue = null;
        if (!more)
        {
            await using var next = Sql.Command(connection, transaction,
                "select next_attempt_at from connector_calls where status = 'pending' order by next_attempt_at limit 1");
            if (await next.ExecuteScalarAsync(ct) is DateTime at) nextDue = new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Utc));
        }
        await transaction.CommitAsync(ct);
        return new CallClaim(claimed, more, nextDue);
    }

    public async Task DeferConnectionAsync(Guid connectionId, DateTimeOffset until, CancellationToken ct)
    {
        // Rows leased by a run are left to it (their due time is their lease's end).
        await using var command = dataSource.CreateCommand("""
            update connector_calls set next_attempt_at = @until, updated_at = now()
            where connection_id = @connection_id and status = 'pending' and next_attempt_at < @until and (lease_until is null or lease_until <= now())
            """);
        command.Parameters.AddValue("connection_id", connectionId);
        command.Parameters.AddValue("until", Sql.Utc(until));
        await command.ExecuteNonQueryAsync(ct);
    }
}
