using Integrations.Application.Common.Interfaces;
using Integrations.Domain.EventTypes;
using Integrations.Domain.Webhooks;
using Integrations.Infrastructure.Persistence;
using Integrations.Infrastructure.Persistence.Projections;
using Npgsql;

namespace Integrations.Infrastructure.Webhooks.Delivery;

/// <summary>A claimed delivery with everything needed to send it.</summary>
/// <param name="Data">The event's data as JSON (the catalog sample for a test).</param>
/// <param name="SendAt">When its rate-limit slot comes; the dispatcher waits for it.</param>
/// <param name="ReleasesHeld">Sent although its endpoint's circuit is not closed (the probe, or a test): its success
/// closes the circuit and releases what the circuit holds (<see cref="WebhookDeliveryQueue.ReleaseHeldAsync"/>).</param>
public sealed record ClaimedDelivery(
    Guid DeliveryId, Guid TenantId, Guid EndpointId, Guid EventId, string EventType, DateTimeOffset EventTimestamp,
    string Url, IReadOnlyList<EndpointSecret> Secrets, string Data, DateTimeOffset SendAt, bool ReleasesHeld = false);

/// <summary>A claimed delivery that cannot be sent: it is dead-lettered without an attempt.</summary>
public sealed record CancelledDelivery(Guid DeliveryId, Guid TenantId, string Reason);

/// <param name="More">The claim looked at as many rows as it could: more may be due right now.</param>
/// <param name="NextDueAt">The earliest time a queued delivery becomes due, if any is queued.</param>
public sealed record ClaimResult(IReadOnlyList<ClaimedDelivery> Deliveries, IReadOnlyList<CancelledDelivery> Cancelled, bool More, DateTimeOffset? NextDueAt);

/// <summary>
/// Claims due deliveries from <c>webhook_delivery_queue</c> in one short transaction, so no HTTP
/// request ever holds a transaction open. Due rows are locked with SKIP LOCKED (instances never
/// wait for each other's rows), then per endpoint: rows of a disabled endpoint are paused, rows of
/// a deleted endpoint or of an event that is not the tenant's are cancelled, and the rest is paced
/// by <see cref="DeliveryPacing"/> against the endpoint's rate limit (shared by every instance
/// through <c>webhook_endpoint_pacing</c>, its rows locked in endpoint order) and this instance's
/// free connection slots, after <see cref="EndpointCircuit"/> has had its say: while an endpoint's
/// circuit is open its deliveries are held back (tests excepted), and when it half-opens one goes
/// as the probe. Claimed rows are leased by setting <c>lease_until</c>: their due time, the one
/// indexed column, stays, so the lease is a HOT update (migration 0016), and a claim passes over
/// leased rows until their lease runs out.
/// </summary>
public sealed class WebhookDeliveryQueue(NpgsqlDataSource dataSource, WebhookDispatcherOptions options)
{
    /// <summary>A slot this far ahead may be claimed now; the dispatcher waits for it in memory.</summary>
    public static readonly TimeSpan Horizon = TimeSpan.FromSeconds(1);

    // The endpoint and the event are looked up per claimed row by primary key (LIMIT 1 keeps each
    // lookup a parameterized index probe). As plain joins the planner, expecting as many rows as
    // the claim's limit, hashed a sequential scan of the whole events table while it was small:
    // 1-3 ms and dozens of buffers a claim at 200 events/s in the benchmark, for one or two rows.
    private const string SelectDue = """
        select q.delivery_id, q.tenant_id, q.endpoint_id, q.event_id, q.event_type, q.is_test, q.created_at,
               e.status, e.url, e.rate_limit_per_minute, e.secrets, ev.data, ev."timestamp", q.ctid::text
        from (select ctid, delivery_id, tenant_id, endpoint_id, event_id, event_type, is_test, created_at from webhook_delivery_queue
              where not paused and next_attempt_at <= now() and (lease_until is null or lease_until <= now())
              order by next_attempt_at
              limit @scan
              for update skip locked) q
        left join lateral (select status, url, rate_limit_per_minute, secrets from webhook_endpoints
                           where id = q.endpoint_id and tenant_id = q.tenant_id limit 1) e on true
        left join lateral (select data::text as data, "timestamp" from events
                           where id = q.event_id and tenant_id = q.tenant_id and not q.is_test limit 1) ev on true
        """;

    /// <param name="limit">How many deliveries this instance can take on now.</param>
    /// <param name="room">How many more deliveries of an endpoint this instance can take on now.</param>
    /// <param name="responseTime">About how long an endpoint takes to answer.</param>
    public async Task<ClaimResult> ClaimAsync(int limit, Func<Guid, int> room, Func<Guid, TimeSpan> responseTime, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);

        var rows = await ReadDueAsync(connection, transaction, limit, ct);
        if (rows.Count == 0)
        {
            var next = await NextDueAsync(connection, transaction, ct);
            await transaction.CommitAsync(ct);
            return new ClaimResult([], [], false, next);
        }

        var sendable = rows.Where(r => r.Kind == RowKind.Send).Select(r => r.EndpointId).Distinct().Order().ToArray();
        var pacing = await LockEndpointStatesAsync(connection, transaction, sendable, ct);
        var plan = Plan(rows, limit, room, responseTime, pacing, DateTimeOffset.UtcNow);
        // A full claim is followed by another at once, which does not need to know when the next row is due.
        var more = rows.Count == limit;
        var nextDue = await WriteAsync(connection, transaction, plan, rows.ToDictionary(r => r.DeliveryId, r => r.Location), askNextDue: !more, ct);
        await transaction.CommitAsync(ct);
        return new ClaimResult(plan.Claimed, plan.Cancelled, more, nextDue);
    }

    /// <summary>
    /// Gives claimed deliveries back before their lease runs out (their endpoint turned slow while
    /// they waited for a connection): each is due again at its time, for any instance.
    /// </summary>
    public async Task ReleaseAsync(IReadOnlyList<(Guid DeliveryId, DateTimeOffset DueAt)> released, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var batch = new NpgsqlBatch(connection) { BatchCommands = { Reschedule(released) } };
        await batch.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// The endpoints' circuits closed (a probe or a test succeeded; the success is recorded): what
    /// their circuits hold is due now. Retries scheduled further ahead keep their schedule.
    /// </summary>
    public async Task ReleaseHeldAsync(IReadOnlyList<Guid> endpointIds, CancellationToken ct)
    {
        // The closed circuit's next opening starts from the shortest period again (a claim that finds it closed does that too).
        await using var command = dataSource.CreateCommand("""
            update webhook_delivery_queue set next_attempt_at = now(), held_by_circuit = false
            where endpoint_id = any(@ids) and held_by_circuit and lease_until is null;
            update webhook_endpoint_pacing set probes_sent = 0 where endpoint_id = any(@ids) and probes_sent > 0
            """);
        command.Parameters.AddValue("ids", endpointIds.ToArray());
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Makes unleased deliveries due at the given times: deferred by a claim, or given back by the dispatcher.</summary>
    /// <param name="held">Whether the endpoint's circuit holds them (<see cref="ReleaseHeldAsync"/> makes them due).</param>
    private static NpgsqlBatchCommand Reschedule(IReadOnlyList<(Guid DeliveryId, DateTimeOffset DueAt)> rows, bool held = false)
    {
        var command = new NpgsqlBatchCommand($"""
            update webhook_delivery_queue q set next_attempt_at = u.at, lease_until = null, held_by_circuit = {(held ? "true" : "false")}
            from unnest(@ids::uuid[], @at::timestamptz[]) as u(id, at) where q.delivery_id = u.id and q.delivery_id = any(@ids)
            """);
        command.Parameters.AddValue("ids", rows.Select(r => r.DeliveryId).ToArray());
        command.Parameters.Add(SqlArrays.Timestamps("at", rows.Select(r => (DateTimeOffset?)r.DueAt)));
        return command;
    }

    private static async Task<List<DueRow>> ReadDueAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, int limit, CancellationToken ct)
    {
        await using var command = Sql.Command(connection, transaction, SelectDue, ("scan", limit));
        await using var reader = await command.ExecuteReaderAsync(ct);
        var rows = new List<DueRow>();
        while (await reader.ReadAsync(ct))
        {
            var isTest = reader.GetBoolean(5);
            var status = reader.IsDBNull(7) ? null : reader.GetString(7);
            var eventType = reader.GetString(4);
            var createdAt = reader.GetFieldValue<DateTimeOffset>(6);
            var data = isTest ? EventTypeCatalog.Find(eventType)?.Sample : reader.IsDBNull(11) ? null : reader.GetString(11);
            var kind = status switch
            {
                null => RowKind.EndpointGone,
                WebhookEndpointStatuses.Disabled => RowKind.Paused,
                _ when data is null => RowKind.EventMissing,
                _ => RowKind.Send,
            };
            rows.Add(new DueRow(
                reader.GetGuid(0), reader.GetGuid(1), reader.GetGuid(2), reader.GetGuid(3), eventType, isTest, createdAt, kind,
                kind == RowKind.Send ? reader.GetString(8) : "",
                kind == RowKind.Send ? reader.GetInt32(9) : 0,
                kind == RowKind.Send ? WebhookEndpointsProjection.DeserializeSecrets(reader.GetString(10)) : [],
                data ?? "",
                isTest || reader.IsDBNull(12) ? createdAt : reader.GetFieldValue<DateTimeOffset>(12),
                reader.GetString(13)));
        }
        return rows;
    }

    /// <summary>
    /// Creates missing pacing rows and locks them, in endpoint order so instances never deadlock on
    /// them; with each, the endpoint's failure streak for its circuit.
    /// </summary>
    private static async Task<Dictionary<Guid, EndpointState>> LockEndpointStatesAsync(NpgsqlConnection connection, NpgsqlTransaction transaction,
        Guid[] endpoints, CancellationToken ct)
    {
        var states = new Dictionary<Guid, EndpointState>();
        if (endpoints.Length == 0) return states;
        await using var batch = new NpgsqlBatch(connection, transaction);
        var insert = new NpgsqlBatchCommand("""
            insert into webhook_endpoint_pacing (endpoint_id, next_slot_at)
            select id, now() from unnest(@ids::uuid[]) as u(id)
            on conflict (endpoint_id) do nothing
            """);
        insert.Parameters.AddValue("ids", endpoints);
        var select = new NpgsqlBatchCommand("""
            select p.endpoint_id, p.next_slot_at, p.probe_sent_at, p.probe_candidate_for, coalesce(h.consecutive_failures, 0), h.last_failure_at,
                   p.probes_sent
            from webhook_endpoint_pacing p
            left join webhook_endpoint_health h on h.endpoint_id = p.endpoint_id
            where p.endpoint_id = any(@ids)
            order by p.endpoint_id
            for update of p
            """);
        select.Parameters.AddValue("ids", endpoints);
        batch.BatchCommands.Add(insert);
        batch.BatchCommands.Add(select);
        // The insert returns no rows, so the reader starts at the select's.
        await using var reader = await batch.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            states[reader.GetGuid(0)] = new EndpointState(
                reader.GetFieldValue<DateTimeOffset>(1),
                reader.IsDBNull(2) ? null : reader.GetFieldValue<DateTimeOffset>(2),
                reader.IsDBNull(3) ? null : reader.GetFieldValue<DateTimeOffset>(3),
                reader.GetInt32(4),
                reader.IsDBNull(5) ? null : reader.GetFieldValue<DateTimeOffset>(5),
                reader.GetInt32(6));
        }
        return states;
    }

    private ClaimPlan Plan(List<DueRow> rows, int limit, Func<Guid, int> room, Func<Guid, TimeSpan> responseTime,
        Dictionary<Guid, EndpointState> states, DateTimeOffset now)
    {
        var plan = new ClaimPlan();
        foreach (var row in rows)
        {
            switch (row.Kind)
            {
                case RowKind.Paused:
                    plan.Paused.Add(row.DeliveryId);
                    break;
                case RowKind.EndpointGone:
                    plan.Cancelled.Add(new CancelledDelivery(row.DeliveryId, row.TenantId, CancelReasons.EndpointDeleted));
                    plan.GoneEndpoints.Add(row.EndpointId);
                    break;
                case RowKind.EventMissing:
                    plan.Cancelled.Add(new CancelledDelivery(row.DeliveryId, row.TenantId, CancelReasons.EventNotFound));
                    break;
            }
        }

        // Endpoints in the order of their oldest due delivery; each endpoint's deliveries oldest first.
        var budget = limit - plan.Cancelled.Count;
        foreach (var endpoint in rows.Where(r => r.Kind == RowKind.Send).GroupBy(r => r.EndpointId).OrderBy(g => g.Min(r => r.CreatedAt)))
        {
            var state = states[endpoint.Key];
            var (due, releasesHeld, probeSentAt, candidateFor, probesSent) = ThroughCircuit(endpoint.OrderBy(r => r.CreatedAt).ToList(), state, now, plan);
            if (due.Count == 0)
            {
                plan.Pacing[endpoint.Key] = new PacingChange(state.NextSlotAt, probeSentAt, candidateFor, probesSent);
                continue;
            }
            var free = Math.Max(0, room(endpoint.Key));
            var paced = DeliveryPacing.Plan(due.Count, free, Math.Max(0, budget), options.MaxConcurrencyPerEndpoint, due[0].RatePerMinute,
                state.NextSlotAt, now, Horizon, responseTime(endpoint.Key));
            for (var i = 0; i < due.Count; i++)
            {
                var row = due[i];
                // A skipped row is left as it is: still due, for the next claim.
                switch (paced.Deliveries[i])
                {
                    case PacedDelivery.Send send:
                        plan.Claimed.Add(new ClaimedDelivery(row.DeliveryId, row.TenantId, row.EndpointId, row.EventId, row.EventType, row.EventTimestamp,
                            row.Url, row.Secrets, row.Data, send.At, releasesHeld));
                        budget--;
                        break;
                    case PacedDelivery.Defer defer:
                        plan.Deferred.Add((row.DeliveryId, defer.Until));
                        break;
                }
            }
            plan.Pacing[endpoint.Key] = new PacingChange(paced.NextFreeSlot, probeSentAt, candidateFor, probesSent);
        }
        return plan;
    }

    /// <summary>
    /// The endpoint's due rows its circuit lets through now: all of them while it is closed. While
    /// it is not, tests go (someone is checking the endpoint by hand) and, when it half-opens, the
    /// oldest row as the probe. The rest is held: out of every claim's way until a success
    /// releases it (<see cref="ReleaseHeldAsync"/>), or at the latest for
    /// <see cref="CircuitBreakerSettings.MaxOpenFor"/> after the circuit decides again, in case
    /// that release was lost. So that a probe can go when an open circuit half-opens, one row per
    /// open period is deferred to then instead (the probe candidate); new events and retries due
    /// then are candidates too.
    /// </summary>
    /// <returns>The rows to pace; whether they are sent although the circuit is not closed; and for the
    /// endpoint's pacing row, when a probe was sent now, the open period a candidate was set aside for and the
    /// probes sent since the circuit closed (null: unchanged).</returns>
    private (List<DueRow> Due, bool ReleasesHeld, DateTimeOffset? ProbeSentAt, DateTimeOffset? CandidateFor, int? ProbesSent) ThroughCircuit(
        List<DueRow> due, EndpointState state, DateTimeOffset now, ClaimPlan plan)
    {
        var settings = options.CircuitBreaker.Settings;
        var decision = EndpointCircuit.Decide(settings, state.ConsecutiveFailures, state.LastFailureAt, state.ProbesSent, state.ProbeSentAt, now,
            options.ProbeWait);
        // Closed (a success or enabling reset the streak): the next time it opens starts from the shortest period.
        if (decision is CircuitDecision.Closed) return (due, false, null, null, state.ProbesSent > 0 ? 0 : null);

        var through = due.Where(r => r.IsTest).ToList();
        var waiting = due.Where(r => !r.IsTest).ToList();
        DateTimeOffset? probeSentAt = null, candidateFor = null;
        int? probesSent = null;
        DateTimeOffset decidesAgain;
        if (decision is CircuitDecision.Wait wait)
        {
            decidesAgain = wait.Until;
            if (waiting.Count > 0 && state.CandidateFor != wait.Until)
            {
                plan.Deferred.Add((waiting[0].DeliveryId, wait.Until));
                waiting.RemoveAt(0);
                candidateFor = wait.Until;
            }
        }
        else
        {
            decidesAgain = now + options.ProbeWait;
            if (waiting.Count > 0)
            {
                through.Add(waiting[0]);
                waiting.RemoveAt(0);
                probeSentAt = now;
                probesSent = state.ProbesSent + 1;
            }
        }
        foreach (var row in waiting) plan.Held.Add((row.DeliveryId, decidesAgain + settings.MaxOpenFor));
        return (through.OrderBy(r => r.CreatedAt).ToList(), true, probeSentAt, candidateFor, probesSent);
    }

    /// <param name="askNextDue">Whether to find out when the next queued delivery is due (it costs an index walk past
    /// the entries of the rows just deleted, a few milliseconds under load).</param>
    /// <param name="locations">Where each row read is (its ctid, as text: Npgsql writes no tid arrays): the claim holds
    /// their locks, so no one else can move them before the lease.</param>
    private async Task<DateTimeOffset?> WriteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, ClaimPlan plan,
        IReadOnlyDictionary<Guid, string> locations, bool askNextDue, CancellationToken ct)
    {
        await using var batch = new NpgsqlBatch(connection, transaction);
        var leased = plan.Claimed.Select(c => c.DeliveryId).Concat(plan.Cancelled.Select(c => c.DeliveryId)).Select(id => locations[id]).ToArray();
        if (leased.Length > 0)
        {
            // By location (a TID scan) rather than by id: a primary-key descent per row saved, about 4 shared buffers a delivery.
            var lease = new NpgsqlBatchCommand("""
                update webhook_delivery_queue set lease_until = now() + @lease
                where ctid = any(@locations::tid[])
                """);
            lease.Parameters.AddValue("locations", leased);
            lease.Parameters.AddValue("lease", options.Lease);
            batch.BatchCommands.Add(lease);
        }
        if (plan.Deferred.Count > 0) batch.BatchCommands.Add(Reschedule(plan.Deferred));
        if (plan.Held.Count > 0) batch.BatchCommands.Add(Reschedule(plan.Held, held: true));
        if (plan.Paused.Count > 0)
        {
            var pause = new NpgsqlBatchCommand("update webhook_delivery_queue set paused = true where delivery_id = any(@ids)");
            pause.Parameters.AddValue("ids", plan.Paused.ToArray());
            batch.BatchCommands.Add(pause);
        }
        if (plan.Pacing.Count > 0)
        {
            var pace = new NpgsqlBatchCommand("""
                update webhook_endpoint_pacing p set next_slot_at = u.at,
                    probe_sent_at = coalesce(u.probe_sent_at, p.probe_sent_at), probe_candidate_for = coalesce(u.candidate_for, p.probe_candidate_for),
                    probes_sent = coalesce(u.probes_sent, p.probes_sent)
                from unnest(@ids::uuid[], @at::timestamptz[], @probe_sent_at::timestamptz[], @candidate_for::timestamptz[], @probes_sent::int[])
                    as u(id, at, probe_sent_at, candidate_for, probes_sent)
                where p.endpoint_id = u.id and p.endpoint_id = any(@ids)
                """);
            pace.Parameters.AddValue("ids", plan.Pacing.Keys.ToArray());
            pace.Parameters.Add(SqlArrays.Timestamps("at", plan.Pacing.Values.Select(p => (DateTimeOffset?)p.NextFreeSlot)));
            pace.Parameters.Add(SqlArrays.Timestamps("probe_sent_at", plan.Pacing.Values.Select(p => p.ProbeSentAt)));
            pace.Parameters.Add(SqlArrays.Timestamps("candidate_for", plan.Pacing.Values.Select(p => p.CandidateFor)));
            pace.Parameters.Add(new NpgsqlParameter("probes_sent", NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Integer)
            {
                Value = plan.Pacing.Values.Select(p => p.ProbesSent).ToArray(),
            });
            batch.BatchCommands.Add(pace);
        }
        if (plan.GoneEndpoints.Count > 0)
        {
            var forget = new NpgsqlBatchCommand("delete from webhook_endpoint_pacing where endpoint_id = any(@ids)");
            forget.Parameters.AddValue("ids", plan.GoneEndpoints.ToArray());
            batch.BatchCommands.Add(forget);
        }
        if (!askNextDue)
        {
            if (batch.BatchCommands.Count > 0) await batch.ExecuteNonQueryAsync(ct);
            return null;
        }
        batch.BatchCommands.Add(new NpgsqlBatchCommand(NextDueSql));
        return await batch.ExecuteScalarAsync(ct) is DateTime next ? new DateTimeOffset(DateTime.SpecifyKind(next, DateTimeKind.Utc)) : null;
    }

    /// <summary>
    /// The earliest due time of a row no one holds. A held row's lease running out (its dispatcher died)
    /// is found by the dispatcher's poll, within <see cref="WebhookDispatcherOptions.PollInterval"/>.
    /// </summary>
    private const string NextDueSql = """
        select next_attempt_at from webhook_delivery_queue
        where not paused and (lease_until is null or lease_until <= now())
        order by next_attempt_at limit 1
        """;

    private static async Task<DateTimeOffset?> NextDueAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken ct)
    {
        await using var command = Sql.Command(connection, transaction, NextDueSql);
        return await command.ExecuteScalarAsync(ct) is DateTime next ? new DateTimeOffset(DateTime.SpecifyKind(next, DateTimeKind.Utc)) : null;
    }

    private enum RowKind { Send, Paused, EndpointGone, EventMissing }

    private sealed record DueRow(
        Guid DeliveryId, Guid TenantId, Guid EndpointId, Guid EventId, string EventType, bool IsTest, DateTimeOffset CreatedAt, RowKind Kind,
        string Url, int RatePerMinute, IReadOnlyList<EndpointSecret> Secrets, string Data, DateTimeOffset EventTimestamp, string Location);

    /// <summary>An endpoint's shared pacing row (locked by the claim) and its failure streak.</summary>
    private sealed record EndpointState(DateTimeOffset NextSlotAt, DateTimeOffset? ProbeSentAt, DateTimeOffset? CandidateFor, int ConsecutiveFailures,
        DateTimeOffset? LastFailureAt, int ProbesSent);

    /// <summary>What a claim writes to an endpoint's pacing row (null: left as it is).</summary>
    private sealed record PacingChange(DateTimeOffset NextFreeSlot, DateTimeOffset? ProbeSentAt, DateTimeOffset? CandidateFor, int? ProbesSent);

    private sealed class ClaimPlan
    {
        public List<ClaimedDelivery> Claimed { get; } = [];
        public List<CancelledDelivery> Cancelled { get; } = [];
        public List<(Guid DeliveryId, DateTimeOffset DueAt)> Deferred { get; } = [];
        public List<Guid> Paused { get; } = [];
        public HashSet<Guid> GoneEndpoints { get; } = [];
        public List<(Guid DeliveryId, DateTimeOffset DueAt)> Held { get; } = [];
        public Dictionary<Guid, PacingChange> Pacing { get; } = [];
    }
}
