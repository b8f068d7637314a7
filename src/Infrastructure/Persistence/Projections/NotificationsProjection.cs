using Integrations.Application.Common.Interfaces;
using Integrations.Domain.Notifications;
using NpgsqlTypes;

namespace Integrations.Infrastructure.Persistence.Projections;

/// <summary>
/// Incident streams into <c>notifications</c> (ADR 0018): one row per notice, "opened" when an incident
/// starts and "resolved" when it clears, with its read state. Inline: a request marks a notice read and
/// answers with it. Recurrences only count on the opened notice. The mail queue is not part of it: a
/// rebuild shows every notice again and mails nobody.
/// </summary>
public sealed class NotificationsProjection : SqlProjection
{
    public override string Name => "notifications";

    public override IReadOnlyList<string> Tables { get; } = ["notifications"];

    public override IReadOnlySet<Type> Handles { get; } = new HashSet<Type>
    {
        typeof(IncidentOpened), typeof(IncidentRecurred), typeof(IncidentResolved), typeof(IncidentNoticeRead),
    };

    public override IEnumerable<SqlStatement> Apply(IReadOnlyList<StoredEvent> events) => events.SelectMany(e => Statements(e.Data));

    private static IEnumerable<SqlStatement> Statements(object @event)
    {
        switch (@event)
        {
            case IncidentOpened e:
                yield return new SqlStatement("""
                    insert into notifications (id, tenant_id, incident_id, notice, kind, subject_id, summary, detail, opened_at, created_at, occurrences)
                    values (@id, @tenant_id, @incident_id, 'opened', @kind, @subject_id, @summary, @detail, @opened_at, @opened_at, 1)
                    on conflict (id) do nothing
                    """).With("id", Opened(e.IncidentId)).With("tenant_id", e.TenantId).With("incident_id", e.IncidentId).With("kind", e.Kind)
                    .With("subject_id", e.SubjectId).With("summary", e.Summary).With("detail", e.Detail, NpgsqlDbType.Text).With("opened_at", Sql.Utc(e.OpenedAt));
                break;
            case IncidentRecurred e:
                yield return new SqlStatement("update notifications set occurrences = occurrences + 1 where id = @id").With("id", Opened(e.IncidentId));
                break;
            case IncidentResolved e:
                // The resolved notice takes what it is about from the opened one, which the same stream made first.
                yield return new SqlStatement("""
                    insert into notifications (id, tenant_id, incident_id, notice, kind, subject_id, summary, detail, opened_at, created_at, occurrences, resolved_at)
                    select @id, tenant_id, incident_id, 'resolved', kind, subject_id, @summary, null, opened_at, @resolved_at, occurrences, @resolved_at
                    from notifications where id = @opened
                    on conflict (id) do nothing
                    """).With("id", IncidentNotices.NoticeId(e.IncidentId, IncidentNotices.Resolved)).With("opened", Opened(e.IncidentId))
                    .With("summary", e.Summary).With("resolved_at", Sql.Utc(e.ResolvedAt));
                yield return new SqlStatement("update notifications set resolved_at = @resolved_at where id = @opened")
                    .With("opened", Opened(e.IncidentId)).With("resolved_at", Sql.Utc(e.ResolvedAt));
                break;
            case IncidentNoticeRead e:
                yield return new SqlStatement("update notifications set read_at = @read_at, read_by = @read_by where id = @id and read_at is null")
                    .With("id", IncidentNotices.NoticeId(e.IncidentId, e.Notice)).With("read_at", Sql.Utc(e.ReadAt)).With("read_by", e.ReadBy);
                break;
        }
    }

    private static Guid Opened(Guid incidentId) => IncidentNotices.NoticeId(incidentId, IncidentNotices.Opened);
}
