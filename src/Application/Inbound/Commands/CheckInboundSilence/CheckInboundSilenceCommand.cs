using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Messaging;
using Integrations.Application.Notifications;
using Integrations.Domain.Notifications;
using MediatR;

namespace Integrations.Application.Inbound.Commands.CheckInboundSilence;

/// <summary>
/// Tells a source's tenant when it has received nothing verified for longer than its silence alert
/// allows (one incident per silence, <see cref="IncidentKinds.InboundSourceSilent"/>), and that it
/// receives again once a request arrives (the incident resolved). Refused requests do not count: a
/// sender signing with a stale secret is as silent as one that stopped.
/// </summary>
public sealed record CheckInboundSilenceCommand(WatchedInboundSource Source) : ICommand<IncidentChange>;

public sealed class CheckInboundSilenceCommandHandler(IncidentLog incidents, IClock clock) : IRequestHandler<CheckInboundSilenceCommand, IncidentChange>
{
    public Task<IncidentChange> Handle(CheckInboundSilenceCommand request, CancellationToken ct)
    {
        var source = request.Source;
        var quiet = clock.UtcNow - source.QuietSince;
        var allowed = TimeSpan.FromSeconds(source.AfterSeconds);
        return quiet > allowed
            ? incidents.OpenAsync(source.TenantId, IncidentKinds.InboundSourceSilent, source.SourceId,
                $"Inbound source {source.Name} has received nothing for {Describe(quiet)}",
                $"Its silence alert is set to {Describe(allowed)}; the last verified request, or the alert's setting, was at {source.QuietSince:u}.", ct)
            : incidents.ResolveAsync(source.TenantId, IncidentKinds.InboundSourceSilent, source.SourceId, $"Inbound source {source.Name} receives requests again", ct);
    }

    private static string Describe(TimeSpan span) => span.TotalHours >= 48 ? $"{(int)span.TotalDays} days"
        : span.TotalMinutes >= 120 ? $"{(int)span.TotalHours} hours"
        : $"{(int)Math.Max(1, span.TotalMinutes)} minutes";
}
