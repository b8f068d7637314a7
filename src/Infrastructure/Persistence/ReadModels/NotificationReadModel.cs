using Integrations.Application.Common.Listing;
using Integrations.Application.Common.Models;
using Integrations.Application.Notifications;
using Integrations.Infrastructure.Persistence.Listing;
using Npgsql;

namespace Integrations.Infrastructure.Persistence.ReadModels;

/// <summary>Notices from <c>notifications</c>, with the outcome of their mails from <c>notification_mails</c>.</summary>
public sealed class NotificationReadModel(DbSession session) : INotificationReadModel
{
    // The mails of each notice, counted by outcome (the queue's unique (notice_id, recipient) index serves it).
    private const string From = """
        notifications n left join lateral (
            select count(*) filter (where status = 'sent') as sent, count(*) filter (where status = 'pending') as pending,
                   count(*) filter (where status = 'failed') as failed
            from notification_mails where notice_id = n.id) m on true
        """;

    private const string Columns = """
        n.id, n.kind, n.notice, n.incident_id, n.subject_id, n.summary, n.detail, n.opened_at, n.created_at, n.occurrences, n.resolved_at, n.read_at,
        m.sent, m.pending, m.failed
        """;

    private static readonly KeysetTable Table = new()
    {
        From = From,
        IdColumn = "n.id",
        Columns = new Dictionary<string, string>
        {
            ["created_at"] = "n.created_at",
            ["kind"] = "n.kind",
            ["notice"] = "n.notice",
            ["unread"] = "(case when n.read_at is null then 'true' else 'false' end)",
        },
    };

    public Task<NotificationDto?> FindAsync(Guid tenantId, Guid notificationId, CancellationToken ct) =>
        session.RunAsync(async (connection, transaction) =>
        {
            await using var command = Sql.Command(connection, transaction, $"select {Columns} from {From} where n.id = @id and n.tenant_id = @tenant_id",
                ("id", notificationId), ("tenant_id", tenantId));
            await using var reader = await command.ExecuteReaderAsync(ct);
            return await reader.ReadAsync(ct) ? Read(reader) : null;
        }, ct);

    public Task<CursorPage<NotificationDto>> ListAsync(Guid tenantId, ListQuery query, CancellationToken ct) =>
        session.RunAsync((connection, transaction) =>
            KeysetQuery.ReadPageAsync(connection, transaction, Table, Columns, [("n.tenant_id", tenantId)], query, Read, ct), ct);

    private static NotificationDto Read(NpgsqlDataReader r) => new(
        r.GetGuid(0), r.GetString(1), r.GetString(2), r.GetGuid(3), r.GetGuid(4), r.GetString(5), r.IsDBNull(6) ? null : r.GetString(6),
        r.GetFieldValue<DateTimeOffset>(7), r.GetFieldValue<DateTimeOffset>(8), r.GetInt32(9),
        r.IsDBNull(10) ? null : r.GetFieldValue<DateTimeOffset>(10), !r.IsDBNull(11), r.IsDBNull(11) ? null : r.GetFieldValue<DateTimeOffset>(11),
        new NotificationEmailsDto((int)r.GetInt64(12), (int)r.GetInt64(13), (int)r.GetInt64(14)));
}
