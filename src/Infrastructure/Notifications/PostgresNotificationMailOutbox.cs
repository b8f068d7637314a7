using Integrations.Application.Notifications.Pipelines.Mail;
using Integrations.Infrastructure.Persistence;
using Npgsql;
using NpgsqlTypes;

namespace Integrations.Infrastructure.Notifications;

/// <summary>
/// The notifications pipeline's claims on <c>notification_mails</c>: due rows are taken with
/// <c>for update skip locked</c> and held by moving their next_attempt_at past the lease, so any number
/// of Workers processes share the queue; outcomes are written for a whole batch in one statement.
/// </summary>
public sealed class PostgresNotificationMailOutbox(NpgsqlDataSource dataSource) : INotificationMailOutbox
{
    public async Task<IReadOnlyList<QueuedMail>> ClaimDueAsync(int max, TimeSpan lease, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""
            update notification_mails q set next_attempt_at = now() + @lease
            from (select id from notification_mails where status = 'pending' and next_attempt_at <= now()
                  order by next_attempt_at limit @max for update skip locked) due
            where q.id = due.id
            returning q.id, q.tenant_id, q.notice_id, q.notice, q.kind, q.subject_id, q.tenant_name, q.recipient, q.summary, q.detail,
                      q.opened_at, q.occurred_at, q.attempts, q.created_at
            """);
        command.Parameters.AddWithValue("lease", lease);
        command.Parameters.AddWithValue("max", max);
        var claimed = new List<QueuedMail>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            claimed.Add(new QueuedMail(reader.GetGuid(0), reader.GetGuid(1), reader.GetGuid(2), reader.GetString(3), reader.GetString(4), reader.GetGuid(5),
                reader.GetString(6), reader.GetString(7), reader.GetString(8), reader.IsDBNull(9) ? null : reader.GetString(9),
                reader.GetFieldValue<DateTimeOffset>(10), reader.GetFieldValue<DateTimeOffset>(11), reader.GetInt32(12), reader.GetFieldValue<DateTimeOffset>(13)));
        return claimed.OrderBy(m => m.CreatedAt).ToList();
    }

    public async Task RecordAsync(IReadOnlyList<MailRecord> records, CancellationToken ct)
    {
        if (records.Count == 0) return;
        await using var command = dataSource.CreateCommand("""
            update notification_mails q set status = r.status, attempts = q.attempts + case when r.attempted then 1 else 0 end,
                next_attempt_at = r.next_attempt_at, last_error = coalesce(r.error, q.last_error),
                sent_at = case when r.status = 'sent' then now() else q.sent_at end
            from unnest(@ids, @statuses, @attempted, @next, @errors) as r(id, status, attempted, next_attempt_at, error)
            where q.id = r.id
            """);
        command.Parameters.AddWithValue("ids", records.Select(r => r.Id).ToArray());
        command.Parameters.AddWithValue("statuses", records.Select(r => r.Status).ToArray());
        command.Parameters.AddWithValue("attempted", records.Select(r => r.Attempted).ToArray());
        command.Parameters.Add(SqlArrays.Timestamps("next", records.Select(r => (DateTimeOffset?)r.NextAttemptAt)));
        command.Parameters.Add(new NpgsqlParameter("errors", NpgsqlDbType.Array | NpgsqlDbType.Text)
        {
            Value = records.Select(r => r.Error is { } e ? (object)(e.Length > 1000 ? e[..1000] : e) : DBNull.Value).ToArray(),
        });
        await command.ExecuteNonQueryAsync(ct);
    }
}
