using System.Text.Json;
using Integrations.Application.Common.EventSourcing;
using Integrations.Application.Common.Exceptions;
using Integrations.Application.Connections;
using Integrations.Domain.Connections;
using Integrations.Domain.Scheduling;

namespace Integrations.Application.Schedules;

/// <summary>
/// Runs schedule commands: the schedule must be the tenant's (another tenant's, a deleted one or an
/// unknown id is "not found", never "forbidden": ADR 0005), its connection (if any) a live one of the
/// tenant, and its job a kind this deployment offers with a configuration that job accepts.
/// </summary>
public sealed class ScheduleAggregate(AggregateStore aggregates, ConnectionAggregate connections, ScheduledJobs jobs)
{
    public static NotFoundException ScheduleNotFound() => new("schedule_not_found", "No such schedule.");

    public Task<ConnectionState> ConnectionAsync(Guid tenantId, Guid connectionId, CancellationToken ct) => connections.ReadAsync(tenantId, connectionId, ct);

    /// <summary>The job checked: a known kind, a connection when it needs one, and its configuration as the job stores it.</summary>
    public async Task<(string Kind, string ConfigJson)> CheckJobAsync(string kind, JsonElement config, ConnectionState? connection, CancellationToken ct)
    {
        if (jobs.Find(kind) is not { } job)
            throw new ValidationException([new ValidationError("job.kind", "unknown_job_kind", $"'{kind}' is not a job kind; the kinds are {string.Join(", ", jobs.Kinds)}.")]);
        if (job.RequiresConnection && connection is null)
            throw new ValidationException([new ValidationError("connection_id", "required", $"A {kind} job needs a connection.")]);
        return (kind, await job.CheckConfigAsync(config, connection, ct));
    }

    public async Task<Loaded<ScheduleState>> LoadAsync(Guid tenantId, Guid scheduleId, CancellationToken ct)
    {
        var loaded = await aggregates.LoadAsync(ScheduleDecider.Decider, ScheduleDecider.StreamId(scheduleId), tenantId, ct);
        return loaded.State.Exists && loaded.State.TenantId == tenantId ? loaded : throw ScheduleNotFound();
    }

    /// <summary>Decides <paramref name="command"/> on the tenant's schedule and appends what it decides.</summary>
    public async Task HandleAsync(Guid tenantId, Guid scheduleId, Func<ScheduleState, ScheduleCommand> command, CancellationToken ct)
    {
        var streamId = ScheduleDecider.StreamId(scheduleId);
        var loaded = await LoadAsync(tenantId, scheduleId, ct);
        await aggregates.HandleAsync(ScheduleDecider.Decider, [new StreamCommands<ScheduleCommand>(streamId, tenantId, [command(loaded.State)])], ct,
            new Dictionary<string, Loaded<ScheduleState>> { [streamId] = loaded });
    }
}
