using Integrations.Application.Common.EventSourcing;
using Integrations.Application.Common.Interfaces;
using Integrations.Domain.Notifications;

namespace Integrations.Application.Notifications;

/// <summary><see cref="IIncidentLog"/> on the incident streams (one per tenant, kind and subject).</summary>
public sealed class IncidentLog(AggregateStore aggregates, IClock clock) : IIncidentLog
{
    public Task OpenAsync(Guid tenantId, string kind, Guid subjectId, string summary, string? detail, CancellationToken ct) =>
        aggregates.HandleAsync(IncidentDecider.Decider, IncidentDecider.StreamId(tenantId, kind, subjectId),
            new OpenIncident(Guid.CreateVersion7(), tenantId, kind, subjectId, summary, detail, clock.UtcNow), tenantId, ct);

    public Task ResolveAsync(Guid tenantId, string kind, Guid subjectId, string summary, CancellationToken ct) =>
        aggregates.HandleAsync(IncidentDecider.Decider, IncidentDecider.StreamId(tenantId, kind, subjectId),
            new ResolveIncident(summary, clock.UtcNow), tenantId, ct);
}
