using Integrations.Application.Connectors;
using Integrations.Infrastructure.Persistence;

namespace Integrations.Infrastructure.Connectors;

/// <summary>
/// The operator view's connector facts (<see cref="IConnectorHealthReadModel"/>): every connection
/// not deleted (its status and token refresh failures from the connections read model), and any
/// other with a route, a circuit or a call not yet succeeded, each with its last hour of attempts (through
/// the attempts' (connection_id, started_at) index), its backlog and dead letters (the calls' partial indexes).
/// </summary>
public sealed class ConnectorHealthReadModel(DbSession session) : IConnectorHealthReadModel
{
    public Task<IReadOnlyList<ConnectionHealthFacts>> ListAsync(CancellationToken ct) =>
        session.RunAsync<IReadOnlyList<ConnectionHealthFacts>>(async (connection, transaction) =>
        {
            await using var command = Sql.Command(connection, transaction, """
                with known as (
                    select id as connection_id, tenant_id, provider from connections where status <> 'deleted'
                    union select connection_id, tenant_id, provider from connector_routes where not connection_deleted
                    union select connection_id, tenant_id, provider from connector_connection_state
                    union select connection_id, tenant_id, provider from connector_calls where status = 'pending'
                    union select connection_id, tenant_id, provider from connector_calls where status = 'failed'
                )
                select k.connection_id, k.tenant_id, k.provider, coalesce(s.circuit_state, 'closed'), s.opened_at, s.open_until,
                       a.calls, a.failed,
                       (select started_at from connector_call_attempts
                        where connection_id = k.connection_id and sent and succeeded order by started_at desc limit 1),
                       (select count(*) from connector_calls where connection_id = k.connection_id and status = 'pending'),
                       (select count(*) from connector_calls where connection_id = k.connection_id and status = 'failed'),
                       c.status, coalesce(c.refresh_failures_in_a_row, 0)
                from (select distinct on (connection_id) connection_id, tenant_id, provider from known order by connection_id, provider desc) k
                left join connector_connection_state s on s.connection_id = k.connection_id
                left join connections c on c.id = k.connection_id
                cross join lateral (
                    select count(*)::int as calls, count(*) filter (where not succeeded)::int as failed from connector_call_attempts
                    where connection_id = k.connection_id and sent and started_at > now() - interval '1 hour') a
                """);
            await using var reader = await command.ExecuteReaderAsync(ct);
            var facts = new List<ConnectionHealthFacts>();
            while (await reader.ReadAsync(ct))
            {
                facts.Add(new ConnectionHealthFacts(reader.GetGuid(0), reader.GetGuid(1), reader.GetString(2), reader.IsDBNull(11) ? null : reader.GetString(11), reader.GetString(3),
                    reader.IsDBNull(4) ? null : reader.GetFieldValue<DateTimeOffset>(4), reader.IsDBNull(5) ? null : reader.GetFieldValue<DateTimeOffset>(5),
                    reader.GetInt32(6), reader.GetInt32(7), reader.IsDBNull(8) ? null : reader.GetFieldValue<DateTimeOffset>(8),
                    reader.GetInt64(9), reader.GetInt64(10), reader.GetInt32(12)));
            }
            return facts;
        }, ct);
}
