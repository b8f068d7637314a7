using Integrations.Domain.Common;

namespace Integrations.Domain.Notifications;

// A persistent failure the tenant must hear about: one notice when it starts, one when it clears,
// never one per failure. The stream is per (tenant, kind, subject), so "connection X needs
// re-authorisation" opens at most one incident at a time however often the refresh is refused;
// after it resolves, the next failure opens a new incident with a new id.

public interface IIncidentEvent
{
    Guid IncidentId { get; }
}

/// <summary>The wire names of the kinds of incident.</summary>
public static class IncidentKinds
{
    public const string ConnectionNeedsReauth = "connection.needs_reauth";
    public const string ConnectionDisconnected = "connection.disconnected";
    public const string WebhookEndpointDisabled = "webhook_endpoint.disabled";
    public const string BreakerOpen = "connection.breaker_open";
    public const string DeadLettersPiling = "connection.dead_letters";
    public const string InboundSourceSilent = "inbound_source.silent";
    /// <summary>A connection's registration at its provider (a Jira dynamic webhook …) could not be kept up: changes there do not reach us.</summary>
    public const string RegistrationFailing = "connection.registration_failing";
    /// <summary>A connection's calls wait hours for the provider's quota (Exact Online's used-up day): they go once it resets.</summary>
    public const string QuotaExhausted = "connection.quota_exhausted";

    public static readonly IReadOnlyList<string> All = [ConnectionNeedsReauth, ConnectionDisconnected, WebhookEndpointDisabled, BreakerOpen, DeadLettersPiling,
        InboundSourceSilent, RegistrationFailing, QuotaExhausted];
}

/// <param name="SubjectId">What failed: the connection or webhook endpoint.</param>
/// <param name="Summary">One line for the notice; never a secret, never a provider's raw answer.</param>
public sealed record IncidentOpened(Guid IncidentId, Guid TenantId, string Kind, Guid SubjectId, string Summary, string? Detail,
    DateTimeOffset OpenedAt) : IIncidentEvent;

/// <summary>The same failure again while the incident is open: counted, not notified.</summary>
public sealed record IncidentRecurred(Guid IncidentId, Guid TenantId, string? Detail, DateTimeOffset At) : IIncidentEvent;

public sealed record IncidentResolved(Guid IncidentId, Guid TenantId, string Summary, DateTimeOffset ResolvedAt) : IIncidentEvent;

/// <param name="Notice">Which notice was read: <see cref="IncidentNotices.Opened"/> or <see cref="IncidentNotices.Resolved"/>.</param>
public sealed record IncidentNoticeRead(Guid IncidentId, Guid TenantId, string Notice, string ReadBy, DateTimeOffset ReadAt) : IIncidentEvent;

public static class IncidentNotices
{
    public const string Opened = "opened";
    public const string Resolved = "resolved";

    /// <summary>
    /// The id of a notice (what the notifications API and the mails name): fixed by its incident and
    /// which notice it is, so a rebuilt read model gives every notice the id it had.
    /// </summary>
    public static Guid NoticeId(Guid incidentId, string notice) => notice switch
    {
        Opened => NameBasedGuid.CreateTimeOrdered(incidentId, Guid.Empty, 1),
        Resolved => NameBasedGuid.CreateTimeOrdered(incidentId, Guid.Empty, 2),
        _ => throw new ArgumentOutOfRangeException(nameof(notice), notice, "A notice is opened or resolved."),
    };
}

public abstract record IncidentCommand;

/// <param name="IncidentId">The id the incident gets if this opens one; ignored while one is open.</param>
public sealed record OpenIncident(Guid IncidentId, Guid TenantId, string Kind, Guid SubjectId, string Summary, string? Detail, DateTimeOffset Now)
    : IncidentCommand;

public sealed record ResolveIncident(string Summary, DateTimeOffset Now) : IncidentCommand;

public sealed record MarkNoticeRead(Guid IncidentId, string Notice, string ReadBy, DateTimeOffset Now) : IncidentCommand;

/// <param name="Current">The incident open now, or the last one (resolved).</param>
public sealed record IncidentState(Guid Current, Guid TenantId, string Kind, Guid SubjectId, bool Open, int Occurrences,
    IReadOnlySet<(Guid Incident, string Notice)> Read, IReadOnlySet<Guid> Resolved)
{
    /// <summary>When <see cref="Current"/> opened: a "resolved" notice says since when it was broken.</summary>
    public DateTimeOffset OpenedAt { get; init; }

    public static readonly IncidentState None = new(Guid.Empty, Guid.Empty, "", Guid.Empty, false, 0,
        new HashSet<(Guid, string)>(), new HashSet<Guid>());
}

public static class IncidentDecider
{
    public static readonly Decider<IncidentCommand, IncidentState, IIncidentEvent> Decider = new(Decide, Evolve, IncidentState.None);

    /// <summary>One stream per tenant, kind and subject: the same failure of the same thing is one incident at a time.</summary>
    public static Guid StreamKey(Guid tenantId, string kind, Guid subjectId) => NameBasedGuid.Create(System.Text.Encoding.UTF8.GetBytes($"incident:{tenantId:N}:{kind}:{subjectId:N}"));

    public static string StreamId(Guid tenantId, string kind, Guid subjectId) => $"incident-{StreamKey(tenantId, kind, subjectId):N}";

    public static IReadOnlyList<IIncidentEvent> Decide(IncidentCommand command, IncidentState state) => command switch
    {
        OpenIncident c when !IncidentKinds.All.Contains(c.Kind) => throw new DomainException("unknown_incident_kind", $"'{c.Kind}' is not a kind of incident."),
        OpenIncident c when state.Open => [new IncidentRecurred(state.Current, state.TenantId, c.Detail, c.Now)],
        OpenIncident c => [new IncidentOpened(c.IncidentId, c.TenantId, c.Kind, c.SubjectId, c.Summary, c.Detail, c.Now)],
        ResolveIncident when !state.Open => [],
        ResolveIncident c => [new IncidentResolved(state.Current, state.TenantId, c.Summary, c.Now)],
        MarkNoticeRead c => Read(c, state),
        _ => throw new ArgumentOutOfRangeException(nameof(command), command.GetType().Name, "Unknown incident command."),
    };

    public static IncidentState Evolve(IncidentState state, IIncidentEvent @event) => @event switch
    {
        IncidentOpened e => state with
        {
            Current = e.IncidentId, TenantId = e.TenantId, Kind = e.Kind, SubjectId = e.SubjectId, Open = true, Occurrences = 1, OpenedAt = e.OpenedAt,
        },
        IncidentRecurred => state with { Occurrences = state.Occurrences + 1 },
        IncidentResolved e => state with { Open = false, Resolved = new HashSet<Guid>(state.Resolved) { e.IncidentId } },
        IncidentNoticeRead e => state with { Read = new HashSet<(Guid, string)>(state.Read) { (e.IncidentId, e.Notice) } },
        _ => state,
    };

    private static IReadOnlyList<IIncidentEvent> Read(MarkNoticeRead c, IncidentState state)
    {
        var exists = c.Notice switch
        {
            IncidentNotices.Opened => c.IncidentId == state.Current || state.Resolved.Contains(c.IncidentId),
            IncidentNotices.Resolved => state.Resolved.Contains(c.IncidentId),
            _ => false,
        };
        if (!exists) throw new DomainException("notification_not_found", "There is no such notification.");
        // Reading twice is not an error (the API is idempotent), and not a second event.
        return state.Read.Contains((c.IncidentId, c.Notice)) ? [] : [new IncidentNoticeRead(c.IncidentId, state.TenantId, c.Notice, c.ReadBy, c.Now)];
    }
}
