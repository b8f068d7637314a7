using Integrations.Application.Connectors.Pipelines.Calls;
using Integrations.Domain.Connectors;
using Integrations.Infrastructure.Persistence;
using NpgsqlTypes;

namespace Integrations.Infrastructure.Connectors;

/// <summary>
/// Records finished runs (<see cref="IConnectorCallResults"/>) in one statement, whatever the batch:
/// each call moves to its next step only while it is still leased as claimed (a late result of a
/// call whose lease ran out and that was claimed again changes nothing), and the attempts of the
/// calls it moved are appended to their log.
/// </summary>
public sealed class ConnectorCallResults(DbSession session) : IConnectorCallResults
{
    public Task<IReadOnlyList<Guid>> RecordAsync(IReadOnlyList<CompletedCall> calls, CancellationToken ct) =>
        session.RunAsync<IReadOnlyList<Guid>>(async (connection, transaction) =>
        {
            var attempts = calls.SelectMany(c => Numbered(c)).ToList();
            await using var command = Sql.Command(connection, transaction, """
                with u as (
                    select * from unnest(@ids::uuid[], @leases::timestamptz[], @statuses::text[], @sent::int[], @last_status::int[], @last_kind::text[],
                                         @last_at::timestamptz[], @next_at::timestamptz[], @reasons::text[])
                         as u(id, lease, status, sent, last_status, last_kind, last_at, next_at, reason)
                ),
                updated as (
                    update connector_calls c set
                        status = u.status, attempt_count = c.attempt_count + u.sent, cycle_attempts = c.cycle_attempts + u.sent,
                        last_status_code = case when u.last_at is null then c.last_status_code else u.last_status end,
                        last_error_kind = case when u.last_at is null then c.last_error_kind else u.last_kind end,
                        last_attempt_at = coalesce(u.last_at, c.last_attempt_at),
                        next_attempt_at = case when u.status = 'pending' then u.next_at else c.next_attempt_at end,
                        lease_until = null, failure_reason = u.reason,
                        failed_at = case when u.status = 'failed' then now() end,
                        succeeded_at = case when u.status = 'succeeded' then now() end,
                        updated_at = now()
                    from u where c.id = u.id and c.lease_until = u.lease and c.status = 'pending'
                    returning c.id
                ),
                logged as (
                    insert into connector_call_attempts (call_id, tenant_id, connection_id, attempt, sent, method, url, started_at, duration_ms, status_code,
                                                         response_body_excerpt, error_kind, succeeded)
                    select a.call_id, a.tenant_id, a.connection_id, a.attempt, a.sent, a.method, a.url, a.started_at, a.duration_ms, a.status_code,
                           a.excerpt, a.error_kind, a.succeeded
                    from unnest(@a_call_ids::uuid[], @a_tenant_ids::uuid[], @a_connection_ids::uuid[], @a_attempts::int[], @a_sent::boolean[],
                                @a_methods::text[], @a_urls::text[], @a_started::timestamptz[], @a_durations::int[], @a_status::int[], @a_excerpts::text[],
                                @a_kinds::text[], @a_succeeded::boolean[]) with ordinality
                         as a(call_id, tenant_id, connection_id, attempt, sent, method, url, started_at, duration_ms, status_code, excerpt, error_kind,
                              succeeded, ord)
                    where a.call_id in (select id from updated)
                    order by a.ord
                )
                select id from updated
                """,
                ("ids", calls.Select(c => c.Call.Id).ToArray()),
                ("statuses", calls.Select(c => Status(c.Step)).ToArray()),
                ("sent", calls.Select(c => c.Attempts.Count(a => a.Sent)).ToArray()),
                ("a_call_ids", attempts.Select(a => a.Call.Id).ToArray()),
                ("a_tenant_ids", attempts.Select(a => a.Call.TenantId).ToArray()),
                ("a_connection_ids", attempts.Select(a => a.Call.ConnectionId).ToArray()),
                ("a_sent", attempts.Select(a => a.Record.Sent).ToArray()),
                ("a_methods", attempts.Select(a => a.Record.Method).ToArray()),
                ("a_urls", attempts.Select(a => a.Record.Url).ToArray()),
                ("a_durations", attempts.Select(a => a.Record.DurationMs).ToArray()),
                ("a_succeeded", attempts.Select(a => a.Record.Succeeded).ToArray()));
            command.Parameters.Add(SqlArrays.Timestamps("leases", calls.Select(c => (DateTimeOffset?)c.Call.LeaseUntil)));
            command.Parameters.Add(new("last_status", NpgsqlDbType.Array | NpgsqlDbType.Integer) { Value = calls.Select(c => c.Attempts.LastOrDefault()?.StatusCode).ToArray() });
            command.Parameters.Add(new("last_kind", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = calls.Select(c => c.Attempts.LastOrDefault()?.ErrorKind).ToArray() });
            command.Parameters.Add(SqlArrays.Timestamps("last_at", calls.Select(c => c.Attempts.LastOrDefault()?.StartedAt)));
            command.Parameters.Add(SqlArrays.Timestamps("next_at", calls.Select(c => (c.Step as CallStep.WaitUntil)?.At)));
            command.Parameters.Add(new("a_attempts", NpgsqlDbType.Array | NpgsqlDbType.Integer) { Value = attempts.Select(a => a.Attempt).ToArray() });
            command.Parameters.Add(SqlArrays.Timestamps("a_started", attempts.Select(a => (DateTimeOffset?)a.Record.StartedAt)));
            command.Parameters.Add(new("a_status", NpgsqlDbType.Array | NpgsqlDbType.Integer) { Value = attempts.Select(a => a.Record.StatusCode).ToArray() });
            command.Parameters.Add(new("a_excerpts", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = attempts.Select(a => a.Record.ResponseBodyExcerpt).ToArray() });
            command.Parameters.Add(new("a_kinds", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = attempts.Select(a => a.Record.ErrorKind).ToArray() });
            command.Parameters.Add(new("reasons", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = calls.Select(c => (c.Step as CallStep.DeadLetter)?.Reason).ToArray() });
            var recorded = new List<Guid>(calls.Count);
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) recorded.Add(reader.GetGuid(0));
            return recorded;
        }, ct);

    /// <summary>The call's rows of this run, its HTTP attempts numbered on from those it made before.</summary>
    private static IEnumerable<(ClaimedCall Call, CallAttemptRecord Record, int? Attempt)> Numbered(CompletedCall completed)
    {
        var number = completed.Call.AttemptCount;
        foreach (var record in completed.Attempts) yield return (completed.Call, record, record.Sent ? ++number : null);
    }

    private static string Status(CallStep step) => step switch
    {
        CallStep.Done => ConnectorCallStatuses.Succeeded,
        CallStep.DeadLetter => ConnectorCallStatuses.Failed,
        _ => ConnectorCallStatuses.Pending,
    };
}
