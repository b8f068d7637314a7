using Integrations.Application.Notifications;
using Integrations.Infrastructure.Persistence;
using NpgsqlTypes;

namespace Integrations.Infrastructure.Notifications;

/// <summary>
/// Queues a notice's mails in <c>notification_mails</c>, in the caller's unit of work: one row per
/// active admin of the tenant, found in the <c>members</c> read model by the same statement.
/// </summary>
public sealed class PostgresNotificationMailQueue(DbSession session) : INotificationMailQueue
{
    public Task<int> EnqueueForAdminsAsync(NoticeToMail notice, CancellationToken ct) =>
        session.RunAsync(async (connection, transaction) =>
        {
            await using var command = Sql.Command(connection, transaction, """
                insert into notification_mails (id, tenant_id, notice_id, notice, kind, subject_id, tenant_name, recipient, summary, detail,
                                                opened_at, occurred_at, next_attempt_at, created_at)
                select gen_random_uuid(), m.tenant_id, @notice_id, @notice, @kind, @subject_id, t.name, m.email, @summary, @detail,
                       @opened_at, @occurred_at, now(), now()
                from members m join tenants t on t.id = m.tenant_id
                where m.tenant_id = @tenant_id and m.role = 'admin' and m.status = 'active'
                on conflict (notice_id, recipient) do nothing
                """,
                ("tenant_id", notice.TenantId), ("notice_id", notice.NoticeId), ("notice", notice.Notice), ("kind", notice.Kind),
                ("subject_id", notice.SubjectId), ("summary", notice.Summary), ("opened_at", Sql.Utc(notice.OpenedAt)),
                ("occurred_at", Sql.Utc(notice.OccurredAt)));
            command.Parameters.Add(new Npgsql.NpgsqlParameter("detail", NpgsqlDbType.Text) { Value = (object?)notice.Detail ?? DBNull.Value });
            return await command.ExecuteNonQueryAsync(ct);
        }, ct);
}
