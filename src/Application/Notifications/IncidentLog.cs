using Integrations.Application.Common.EventSourcing;
using Integrations.Application.Common.Interfaces;
using Integrations.Domain.Notifications;

namespace Integrations.Application.Notifications;

/// <summary>What a call to <see cref="IncidentLog"/> changed.</summary>
public enum IncidentChange
{
    /// <summary>Nothing: there was no open incident to resolve.</summary>
    None,

    /// <summary>A new incident: an "opened" notice, and its mails queued.</summary>
    Opened,

    /// <summary>The incident was open already: counted, no notice, no mail.</summary>
    Recurred,

    /// <summary>The open incident cleared: a "resolved" notice, and its mails queued.</summary>
    Resolved,
}

/// <summary>
/// The one way to tell a tenant about a persistent failure (ADR 0018). Features call it where they
/// notice that something stays broken, or works again, inside their own unit of work: the webhook
/// endpoint disabler, the connections' token refresh and health checks, the connector runtime.
/// <list type="bullet">
/// <item><see cref="OpenAsync"/> opens one incident per tenant, kind and subject; while it is open,
/// further calls only count (<see cref="IncidentChange.Recurred"/>): never a notice or a mail per failure.</item>
/// <item><see cref="ResolveAsync"/> closes it with one "resolved" notice; without an open incident it does nothing,
/// so callers may call it on every success.</item>
/// </list>
/// A notice appears in <c>GET /api/v1/notifications</c> (the inline notifications projection) and its
/// mails to the tenant's admins are queued in the same transaction; nothing here talks to a mail server,
/// so an SMTP outage or a tenant without admins never fails the caller. A concurrent call for the same
/// incident fails the append as a retryable conflict, which the caller's unit of work retries.
/// Summaries and details are shown to the customer and mailed: never put a secret, a credential or a
/// provider's raw answer in them.
/// </summary>
public sealed class IncidentLog(AggregateStore aggregates, INotificationMailQueue mails, IClock clock)
{
    /// <summary>Longer summaries are cut here (a notice's one line, and the mail's subject).</summary>
    public const int MaxSummaryLength = 300;

    public const int MaxDetailLength = 2000;

    /// <param name="kind">One of <see cref="IncidentKinds"/>.</param>
    /// <param name="subjectId">What failed: the connection or the webhook endpoint.</param>
    /// <param name="summary">One line saying what broke, e.g. "Webhook endpoint hooks.example.com was disabled".</param>
    /// <param name="detail">Why, e.g. "3 consecutive delivery attempts failed; the last one: HTTP 500".</param>
    public async Task<IncidentChange> OpenAsync(Guid tenantId, string kind, Guid subjectId, string summary, string? detail, CancellationToken ct)
    {
        var now = clock.UtcNow;
        var command = new OpenIncident(Guid.CreateVersion7(), tenantId, kind, subjectId, Clean(summary, MaxSummaryLength), CleanDetail(detail), now);
        var decided = await aggregates.HandleAsync(IncidentDecider.Decider, IncidentDecider.StreamId(tenantId, kind, subjectId), command, tenantId, ct);
        switch (decided.Events.SingleOrDefault())
        {
            case IncidentOpened opened:
                await mails.EnqueueForAdminsAsync(new NoticeToMail(tenantId, IncidentNotices.NoticeId(opened.IncidentId, IncidentNotices.Opened),
                    IncidentNotices.Opened, kind, subjectId, opened.Summary, opened.Detail, opened.OpenedAt, opened.OpenedAt), ct);
                return IncidentChange.Opened;
            case IncidentRecurred:
                return IncidentChange.Recurred;
            default:
                return IncidentChange.None;
        }
    }

    /// <param name="summary">One line saying what works again, e.g. "Webhook endpoint hooks.example.com was enabled again".</param>
    public async Task<IncidentChange> ResolveAsync(Guid tenantId, string kind, Guid subjectId, string summary, CancellationToken ct)
    {
        var decided = await aggregates.HandleAsync(IncidentDecider.Decider, IncidentDecider.StreamId(tenantId, kind, subjectId),
            new ResolveIncident(Clean(summary, MaxSummaryLength), clock.UtcNow), tenantId, ct);
        if (decided.Events.SingleOrDefault() is not IncidentResolved resolved) return IncidentChange.None;
        // The opened notice's detail stays with it; the resolved notice says what cleared it.
        await mails.EnqueueForAdminsAsync(new NoticeToMail(tenantId, IncidentNotices.NoticeId(resolved.IncidentId, IncidentNotices.Resolved),
            IncidentNotices.Resolved, kind, subjectId, resolved.Summary, null, decided.State.OpenedAt, resolved.ResolvedAt), ct);
        return IncidentChange.Resolved;
    }

    /// <summary>One line: whitespace (newlines included) collapsed, cut at <paramref name="max"/> characters.</summary>
    private static string Clean(string text, int max)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        var line = string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        return line.Length <= max ? line : line[..(max - 1)] + "…";
    }

    private static string? CleanDetail(string? detail) => string.IsNullOrWhiteSpace(detail) ? null : Clean(detail, MaxDetailLength);
}
