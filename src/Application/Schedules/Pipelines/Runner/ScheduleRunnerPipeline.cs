using System.Collections.Concurrent;
using Integrations.Application.Common.Interfaces;
using Integrations.Domain.Scheduling;
using MediatR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Integrations.Application.Schedules.Pipelines.Runner;

/// <summary>
/// The Workers' schedules pipeline (ADR 0021), as named steps over small ports:
/// <list type="number">
/// <item><b>claim</b> (<see cref="IScheduleRunClaims"/>, every Schedules:PollInterval): lost runs recovered, due
/// schedules admitted by <see cref="ScheduleAdmission"/> within the concurrency bounds and this process's room;</item>
/// <item><b>run</b>, each on its own task: the job of its kind (<see cref="ScheduledJobs"/>), cancelled at its maximum run time;</item>
/// <item><b>heartbeat</b> (every Schedules:HeartbeatInterval): the runs held here are alive; one declared lost meanwhile is cancelled here;</item>
/// <item><b>record</b>: a success through <see cref="CompleteScheduleRunCommand"/> (events and checkpoint in one transaction), anything else as the run's outcome.</item>
/// </list>
/// On shutdown it stops claiming and lets runs finish until <see cref="Abort"/>; a run cut off is
/// declared lost by the next claim after its lease and runs again.
/// </summary>
public sealed class ScheduleRunnerPipeline(IScheduleRunClaims claims, IWorkScopeFactory scopes, ScheduleTimes times, SchedulesOptions options, IClock clock,
    ILogger<ScheduleRunnerPipeline> logger)
{
    public const string Actor = "worker:schedules";

    private static readonly TimeSpan ErrorDelay = TimeSpan.FromSeconds(1);
    private readonly ConcurrentDictionary<Guid, CancellationTokenSource> _running = new();
    private readonly CancellationTokenSource _abort = new();

    /// <summary>This process's name in schedule_runs.worker.</summary>
    public string Worker { get; } = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>Runs this process holds.</summary>
    public int InFlight => _running.Count;

    public void Abort() => _abort.Cancel();

    public async Task RunAsync(CancellationToken stopping)
    {
        var policy = new ClaimPolicy(
            (running, due) => ScheduleAdmission.Admit(running, due, d => d.Scope,
                new RunLimits(options.MaxConcurrency, options.MaxConcurrentPerProvider, options.MaxConcurrentPerTenant, options.MaxConcurrentPerConnection),
                options.MaxConcurrencyPerProcess - _running.Count),
            due => due.Due ? times.NextDue(due.ScheduleId, due.Timing, clock.UtcNow) ?? DateTimeOffset.MaxValue : null,
            due => due.MaxRunSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : options.DefaultMaxRunTime);
        using var heartbeats = new CancellationTokenSource();
        var heartbeat = Task.Run(() => HeartbeatAsync(heartbeats.Token), CancellationToken.None);
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                if (_running.Count < options.MaxConcurrencyPerProcess)
                    foreach (var run in await claims.ClaimAsync(Worker, options.MaxConcurrencyPerProcess - _running.Count, policy, stopping)) Start(run);
                await Task.Delay(options.PollInterval, stopping).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
            catch (Exception ex) when (!stopping.IsCancellationRequested)
            {
                logger.LogWarning(ex, "Claiming due schedules failed; trying again in {Delay}", ErrorDelay);
                await Task.Delay(ErrorDelay, stopping).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
            catch (OperationCanceledException)
            {
            }
        }
        while (!_running.IsEmpty && !_abort.IsCancellationRequested) await Task.Delay(50, CancellationToken.None);
        await heartbeats.CancelAsync();
        await heartbeat;
    }

    private void Start(ClaimedRun run)
    {
        var cancel = CancellationTokenSource.CreateLinkedTokenSource(_abort.Token);
        _running[run.RunId] = cancel;
        _ = Task.Run(async () =>
        {
            try
            {
                await ExecuteAsync(run, cancel);
            }
            finally
            {
                _running.TryRemove(run.RunId, out _);
                cancel.Dispose();
            }
        }, CancellationToken.None);
    }

    private async Task ExecuteAsync(ClaimedRun run, CancellationTokenSource cancel)
    {
        var schedule = run.Schedule;
        using var deadline = new CancellationTokenSource(Positive(run.Deadline - clock.UtcNow));
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancel.Token, deadline.Token);
        try
        {
            JobResult result;
            await using (var scope = scopes.CreateScope(Actor))
            {
                var job = scope.ServiceProvider.GetRequiredService<ScheduledJobs>().Find(schedule.JobKind)
                          ?? throw new ScheduledJobException($"This deployment has no job kind '{schedule.JobKind}'.");
                result = await job.RunAsync(new JobRun(run.RunId, schedule.ScheduleId, schedule.TenantId, schedule.ConnectionId, schedule.Provider,
                    schedule.ConfigJson, schedule.Checkpoint), linked.Token);
            }
            await using (var scope = scopes.CreateScope(Actor))
                await scope.ServiceProvider.GetRequiredService<IMediator>().Send(new CompleteScheduleRunCommand(Worker, run, result), cancel.Token);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancel.IsCancellationRequested)
        {
            await FailAsync(run, ScheduleRunOutcomes.TimedOut, "The run took longer than its maximum run time and was cancelled.");
        }
        catch (Common.Exceptions.ConflictException ex) when (ex.Code == "schedule_run_lost")
        {
            logger.LogWarning("Run {RunId} of schedule {ScheduleId} was declared lost before it ended; its result is dropped", run.RunId, schedule.ScheduleId);
        }
        catch (Exception) when (cancel.IsCancellationRequested)
        {
            // Declared lost (another process may be running it again) or the host is out of time: the lease says what happens next.
        }
        catch (Exception ex) when (ex is ScheduledJobException or Connections.ConnectionUnusableException or Common.Exceptions.NotFoundException)
        {
            await FailAsync(run, ScheduleRunOutcomes.Failed, ex.Message);
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Run {RunId} of schedule {ScheduleId} failed", run.RunId, schedule.ScheduleId);
            await FailAsync(run, ScheduleRunOutcomes.Failed, $"The run failed unexpectedly; the Workers log has the details under run {run.RunId}.");
        }
    }

    private async Task FailAsync(ClaimedRun run, string outcome, string error)
    {
        try
        {
            await claims.FailAsync(Worker, run.RunId, outcome, error, _abort.Token);
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Recording the end of run {RunId} failed; it is declared lost after its lease", run.RunId);
        }
    }

    private async Task HeartbeatAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            await Task.Delay(options.HeartbeatInterval, stop).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            var held = _running.Keys.ToList();
            if (held.Count == 0 || stop.IsCancellationRequested) continue;
            try
            {
                var alive = await claims.HeartbeatAsync(Worker, held, stop);
                foreach (var lost in held.Where(id => !alive.Contains(id)))
                    if (_running.TryGetValue(lost, out var cancel)) await cancel.CancelAsync();
            }
            catch (Exception ex) when (!stop.IsCancellationRequested)
            {
                logger.LogWarning(ex, "Heartbeating {Count} schedule runs failed", held.Count);
            }
        }
    }

    private static TimeSpan Positive(TimeSpan span) => span > TimeSpan.Zero ? span : TimeSpan.FromMilliseconds(1);
}
