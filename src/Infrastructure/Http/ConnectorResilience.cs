using Integrations.Domain.Common;
using Integrations.Application.Connectors;
using Integrations.Domain.Connectors;
using Integrations.Infrastructure.Connectors;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.CircuitBreaker;
using Polly.Registry;
using Polly.Retry;

namespace Integrations.Infrastructure.Http;

/// <summary>What one attempt of a run came to, as the resilience pipeline judges it.</summary>
/// <param name="NotBefore">When the provider said the next attempt may go (Retry-After, its reset header).</param>
/// <param name="Quota">Set when no request went because a quota is used up.</param>
public sealed record AttemptResult(CallAttemptOutcome Outcome, DateTimeOffset? NotBefore, QuotaExhausted? Quota = null);

/// <summary>
/// The one resilience policy of every connector call, a Polly pipeline per connection (kept in a
/// <see cref="ResiliencePipelineRegistry{TKey}"/> for the life of the process), outermost first:
/// <list type="number">
/// <item><b>retry</b>: up to the run's attempts, exponential backoff with jitter from
/// Connectors:Retry:BaseDelay, or exactly as long as the provider asked (Retry-After, its reset
/// header) when that is at most Connectors:Retry:MaxDelay; only what <see cref="CallAttemptOutcome.Retryable"/>
/// allows (no answer, 408, 409, 429, 5xx). A longer wait ends the run: the call goes back to the ledger, due then;</item>
/// <item><b>circuit breaker</b>: opens when the last Connectors:CircuitBreaker:FailureThreshold calls in the sampling
/// window all failed (no answer, 408 or 5xx: <see cref="CallAttemptOutcome.BreaksCircuit"/>), for BreakDuration
/// doubled per failed probe up to MaxBreakDuration; then one probe goes (half-open) and its answer closes or reopens it.
/// Each change is written to connector_connection_state (<see cref="CircuitStateWriter"/>), which every process's claims read;</item>
/// <item><b>timeout</b>: Connectors:Timeout per attempt.</item>
/// </list>
/// </summary>
public sealed class ConnectorResilience(ConnectorsOptions options, CircuitStateWriter circuits, ILogger<ConnectorResilience> logger) : IDisposable
{
    /// <summary>How many attempts the run may still make (its call's budget), read by the retry's predicate.</summary>
    public static readonly ResiliencePropertyKey<int> AttemptsLeft = new("connectors.attempts-left");

    private readonly ResiliencePipelineRegistry<Guid> _registry = new();

    /// <summary>The connection's pipeline; <paramref name="tenantId"/> and <paramref name="provider"/> name it in the circuit's row.</summary>
    public ResiliencePipeline<AttemptResult> For(Guid connectionId, Guid tenantId, string provider) =>
        _registry.GetOrAddPipeline<AttemptResult>(connectionId, builder => Build(builder, connectionId, tenantId, provider));

    /// <summary>The open period that <paramref name="probesFailed"/> failed probes leave: doubling, capped.</summary>
    public static TimeSpan BreakDuration(ConnectorBreakerOptions breaker, int probesFailed)
    {
        var period = breaker.BreakDuration;
        for (var i = 0; i < probesFailed && period < breaker.MaxBreakDuration; i++) period *= 2;
        return period < breaker.MaxBreakDuration ? period : breaker.MaxBreakDuration;
    }

    public void Dispose() => _registry.Dispose();

    private void Build(ResiliencePipelineBuilder<AttemptResult> builder, Guid connectionId, Guid tenantId, string provider)
    {
        var breaker = options.CircuitBreaker;
        if (options.Retry.MaxAttempts > 1)
        {
            builder.AddRetry(new RetryStrategyOptions<AttemptResult>
            {
                MaxRetryAttempts = options.Retry.MaxAttempts - 1,
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Result is { Quota: null } result && result.Outcome.Retryable
                    && args.AttemptNumber + 1 < args.Context.Properties.GetValue(AttemptsLeft, 1)
                    && ConnectorCallPolicy.WaitsInMemory(result.NotBefore, DateTimeOffset.UtcNow, options.Retry.MaxDelay)),
                DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(args.Outcome.Result?.NotBefore is { } at
                    ? (at - DateTimeOffset.UtcNow is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero)
                    : Backoff.Exponential(options.Retry.BaseDelay, args.AttemptNumber, options.Retry.MaxDelay, Random.Shared.NextDouble())),
            });
        }
        builder.AddCircuitBreaker(new CircuitBreakerStrategyOptions<AttemptResult>
        {
            FailureRatio = 1.0,
            MinimumThroughput = breaker.FailureThreshold,
            SamplingDuration = breaker.SamplingDuration,
            BreakDuration = breaker.BreakDuration,
            BreakDurationGenerator = args => ValueTask.FromResult(BreakDuration(breaker, args.HalfOpenAttempts)),
            ShouldHandle = args => ValueTask.FromResult(args.Outcome.Result is { Quota: null } result && result.Outcome.BreaksCircuit),
            OnOpened = async args =>
            {
                logger.LogWarning("Circuit of connection {ConnectionId} ({Provider}) opened for {Duration}", connectionId, provider, args.BreakDuration);
                await MirrorAsync(() => circuits.OpenedAsync(connectionId, tenantId, provider, DateTimeOffset.UtcNow + args.BreakDuration, CancellationToken.None));
            },
            OnHalfOpened = _ => MirrorAsync(() => circuits.HalfOpenedAsync(connectionId, tenantId, provider, CancellationToken.None)),
            OnClosed = async _ =>
            {
                logger.LogInformation("Circuit of connection {ConnectionId} ({Provider}) closed", connectionId, provider);
                await MirrorAsync(() => circuits.ClosedAsync(connectionId, tenantId, provider, CancellationToken.None));
            },
        });
        builder.AddTimeout(options.Timeout);
    }

    /// <summary>The row is shared and shown, not the breaker itself: a failed write is logged, and the breaker goes on deciding here.</summary>
    private async ValueTask MirrorAsync(Func<Task> write)
    {
        try
        {
            await write();
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Writing a connector circuit's state failed");
        }
    }
}
