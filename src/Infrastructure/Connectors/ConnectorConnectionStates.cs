using Integrations.Application.Connectors;
using Integrations.Infrastructure.Connections;
using Integrations.Infrastructure.Persistence;
using Npgsql;

namespace Integrations.Infrastructure.Connectors;

/// <summary>
/// The connector_connection_state rows with each connection's dead letters (<see cref="IConnectorConnectionStates"/>),
/// in the caller's unit of work. Reading takes a transaction-scoped advisory lock per connection
/// first, so two writers recording results of one connection at once review it one after the
/// other, the second counting the first's dead letters: otherwise each could count only its own
/// and the incident's threshold never be seen.
/// </summary>
public sealed class ConnectorConnectionStates(DbSession session) : IConnectorConnectionStates
{
    /// <summary>"CRev" in ASCII: apart from the refresh lock's namespace, so a refresh never holds up recording.</summary>
    public const int ReviewLockNamespace = 0x43526576;

    public Task<IReadOnlyList<ConnectionRuntimeFacts>> ReadAsync(IReadOnlyCollection<Guid> connectionIds, CancellationToken ct) =>
        session.RunAsync<IReadOnlyList<ConnectionRuntimeFacts>>(async (connection, transaction) =>
        {
            // In one order everywhere, so two writers never wait on each other in a circle.
            var keys = connectionIds.Select(PostgresConnectionLock.Key).Distinct().Order().ToArray();
            await Sql.ExecuteAsync(connection, transaction, "select pg_advisory_xact_lock(@namespace, k) from unnest(@keys::int[]) as k", ct,
                ("namespace", ReviewLockNamespace), ("keys", keys));
            // A statement after the wait: its snapshot holds what the writer before us committed.
            await using var command = Sql.Command(connection, transaction, """
                select c.id, coalesce(s.circuit_state, 'closed'), s.opened_at, coalesce(s.breaker_incident_open, false),
                       coalesce(s.dead_letter_incident_open, false),
                       (select count(*) from connector_calls f where f.connection_id = c.id and f.status = 'failed'),
                       coalesce(s.quota_incident_open, false)
                from unnest(@ids::uuid[]) as c(id)
                left join connector_connection_state s on s.connection_id = c.id
                """, ("ids", connectionIds.ToArray()));
            await using var reader = await command.ExecuteReaderAsync(ct);
            var facts = new List<ConnectionRuntimeFacts>();
            while (await reader.ReadAsync(ct))
            {
                facts.Add(new ConnectionRuntimeFacts(reader.GetGuid(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetFieldValue<DateTimeOffset>(2),
                    reader.GetBoolean(3), reader.GetBoolean(4), reader.GetInt64(5)) { QuotaIncidentOpen = reader.GetBoolean(6) });
            }
            return facts;
        }, ct);

    public Task SetIncidentsAsync(Guid connectionId, Guid tenantId, string provider, bool? breakerIncidentOpen, bool? deadLetterIncidentOpen, CancellationToken ct) =>
        session.RunAsync((connection, transaction) => Sql.ExecuteAsync(connection, transaction, """
            insert into connector_connection_state (connection_id, tenant_id, provider, circuit_state, breaker_incident_open, dead_letter_incident_open, updated_at)
            values (@connection_id, @tenant_id, @provider, 'closed', coalesce(@breaker, false), coalesce(@dead_letters, false), now())
            on conflict (connection_id) do update set
                breaker_incident_open = coalesce(@breaker, connector_connection_state.breaker_incident_open),
                dead_letter_incident_open = coalesce(@dead_letters, connector_connection_state.dead_letter_incident_open),
                updated_at = now()
            """, ct, ("connection_id", connectionId), ("tenant_id", tenantId), ("provider", provider), ("breaker", breakerIncidentOpen),
            ("dead_letters", deadLetterIncidentOpen)), ct);

    public Task SetQuotaIncidentAsync(Guid connectionId, Guid tenantId, string provider, bool open, CancellationToken ct) =>
        session.RunAsync((connection, transaction) => Sql.ExecuteAsync(connection, transaction, """
            insert into connector_connection_state (connection_id, tenant_id, provider, circuit_state, quota_incident_open, updated_at)
            values (@connection_id, @tenant_id, @provider, 'closed', @open, now())
            on conflict (connection_id) do update set quota_incident_open = @open, updated_at = now()
            """, ct, ("connection_id", connectionId), ("tenant_id", tenantId), ("provider", provider), ("open", open)), ct);
}

/// <summary>
/// Writes a connection's circuit as Polly reports it in this process (<see cref="Http.ConnectorResilience"/>),
/// outside any unit of work: the row every process's claims read (no calls of a connection whose
/// circuit is open until then) and the operator view shows. An opening keeps the outage's start
/// (<c>opened_at</c>) when the circuit had not closed since.
/// </summary>
public sealed class CircuitStateWriter(NpgsqlDataSource dataSource)
{
    public async Task OpenedAsync(Guid connectionId, Guid tenantId, string provider, DateTimeOffset openUntil, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""
            insert into connector_connection_state (connection_id, tenant_id, provider, circuit_state, opened_at, open_until, updated_at)
            values (@connection_id, @tenant_id, @provider, 'open', now(), @open_until, now())
            on conflict (connection_id) do update set circuit_state = 'open', open_until = @open_until, updated_at = now(),
                opened_at = case when connector_connection_state.circuit_state = 'closed' then now() else connector_connection_state.opened_at end
            """);
        Parameters(command, connectionId, tenantId, provider);
        command.Parameters.AddValue("open_until", Sql.Utc(openUntil));
        await command.ExecuteNonQueryAsync(ct);
    }

    public Task HalfOpenedAsync(Guid connectionId, Guid tenantId, string provider, CancellationToken ct) => SetAsync(connectionId, tenantId, provider, "half_open", ct);

    public Task ClosedAsync(Guid connectionId, Guid tenantId, string provider, CancellationToken ct) => SetAsync(connectionId, tenantId, provider, "closed", ct);

    private async Task SetAsync(Guid connectionId, Guid tenantId, string provider, string state, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""
            insert into connector_connection_state (connection_id, tenant_id, provider, circuit_state, updated_at)
            values (@connection_id, @tenant_id, @provider, @state, now())
            on conflict (connection_id) do update set circuit_state = @state, updated_at = now(),
                opened_at = case when @state = 'closed' then null else connector_connection_state.opened_at end,
                open_until = case when @state = 'closed' then null else connector_connection_state.open_until end
            """);
        Parameters(command, connectionId, tenantId, provider);
        command.Parameters.AddValue("state", state);
        await command.ExecuteNonQueryAsync(ct);
    }

    private static void Parameters(NpgsqlCommand command, Guid connectionId, Guid tenantId, string provider)
    {
        command.Parameters.AddValue("connection_id", connectionId);
        command.Parameters.AddValue("tenant_id", tenantId);
        command.Parameters.AddValue("provider", provider);
    }
}
