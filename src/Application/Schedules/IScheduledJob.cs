using System.Text.Json;
using Integrations.Domain.Connections;

namespace Integrations.Application.Schedules;

/// <summary>An event a run emits into the tenant's catalog events.</summary>
public sealed record EmittedEvent(string EventType, JsonElement Data);

/// <summary>What a run did: the events to emit, how many records it read, and the checkpoint for the next run.</summary>
/// <param name="Checkpoint">Stored only with the events, in one transaction, when the run succeeds.</param>
public sealed record JobResult(IReadOnlyList<EmittedEvent> Events, int RecordsRead, string? Checkpoint);

/// <summary>One run as a job sees it.</summary>
/// <param name="Checkpoint">The cursor the last successful run left; null on the first run.</param>
public sealed record JobRun(Guid RunId, Guid ScheduleId, Guid TenantId, Guid? ConnectionId, string? Provider, string ConfigJson, string? Checkpoint);

/// <summary>A job kind a schedule can run (<c>http_poll</c>, …): what a run does is the job's business; the runner claims, bounds and records.</summary>
public interface IScheduledJob
{
    string Kind { get; }

    /// <summary>Whether the job needs a connection (its credentials, its provider's quota).</summary>
    bool RequiresConnection { get; }

    /// <summary>The configuration as the job stores it, checked against the connection (null without one).</summary>
    /// <exception cref="Common.Exceptions.ValidationException">The configuration is not acceptable; fields under job.config.</exception>
    Task<string> CheckConfigAsync(JsonElement config, ConnectionState? connection, CancellationToken ct);

    /// <summary>Runs once; cancelled at the run's maximum run time or when the host stops. Throws when the run failed.</summary>
    Task<JobResult> RunAsync(JobRun run, CancellationToken ct);
}

/// <summary>The job kinds this deployment offers.</summary>
public sealed class ScheduledJobs(IEnumerable<IScheduledJob> jobs)
{
    private readonly Dictionary<string, IScheduledJob> _byKind = jobs.ToDictionary(j => j.Kind, StringComparer.Ordinal);

    public IReadOnlyCollection<string> Kinds => _byKind.Keys;

    public IScheduledJob? Find(string? kind) => kind is not null && _byKind.TryGetValue(kind, out var job) ? job : null;
}

/// <summary>A run failed for a reason the job can name (the run's error): no stack trace, never a credential.</summary>
public sealed class ScheduledJobException(string message) : Exception(message);
