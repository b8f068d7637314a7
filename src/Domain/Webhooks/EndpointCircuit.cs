namespace Integrations.Domain.Webhooks;

/// <summary>What the dispatcher may do with an endpoint's due deliveries now.</summary>
public abstract record CircuitDecision
{
    /// <summary>The endpoint is healthy (or the breaker is off): send as the rate limit allows.</summary>
    public sealed record Closed : CircuitDecision;

    /// <summary>
    /// Do not send until <paramref name="Until"/>: the endpoint failed too often in a row (open), or
    /// the one probe sent to it has not been answered yet.
    /// </summary>
    public sealed record Wait(DateTimeOffset Until) : CircuitDecision;

    /// <summary>Send one delivery as a probe; the others wait for its answer.</summary>
    public sealed record Probe : CircuitDecision;
}

public enum CircuitState { Closed, Open, HalfOpen }

/// <summary>An endpoint's circuit at one moment.</summary>
/// <param name="NextProbeAt">
/// Open: when the open period ends and a probe may go. Half-open with a probe awaited: when
/// another probe goes if that one is not answered. Otherwise null (closed, or the next due
/// delivery goes as the probe).
/// </param>
/// <param name="ProbeSentAt">The probe awaited, if any.</param>
public sealed record CircuitStatus(CircuitState State, DateTimeOffset? NextProbeAt, DateTimeOffset? ProbeSentAt);

/// <summary>Webhooks:CircuitBreaker settings.</summary>
/// <param name="FailureThreshold">Consecutive failed attempts that open the circuit; 0 turns the breaker off.</param>
/// <param name="OpenFor">How long the circuit stays open after it opens; doubled by every failed probe.</param>
/// <param name="MaxOpenFor">The longest the circuit stays open between probes.</param>
public sealed record CircuitBreakerSettings(int FailureThreshold, TimeSpan OpenFor, TimeSpan MaxOpenFor)
{
    public static readonly CircuitBreakerSettings Default = new(10, TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(5));

    public bool Enabled => FailureThreshold > 0;
}

/// <summary>
/// A per-endpoint circuit breaker over the endpoint's consecutive failed attempts (the same count
/// that auto-disables it). After <see cref="CircuitBreakerSettings.FailureThreshold"/> failures in a
/// row the endpoint gets no requests for <see cref="CircuitBreakerSettings.OpenFor"/>: its deliveries
/// wait, spending no attempt, so a dead endpoint costs one probe per period instead of every
/// delivery and retry at full rate, and the deliveries of everyone else keep the machine. Then one
/// delivery goes as a probe (half-open): its success closes the circuit and the waiting deliveries
/// flow again (still under the rate limit); its failure opens the circuit for twice as long, up to
/// <see cref="CircuitBreakerSettings.MaxOpenFor"/>. Probes are attempts like any other, so an
/// endpoint that never answers is still disabled after Webhooks:AutoDisableAfterConsecutiveFailures.
/// </summary>
public static class EndpointCircuit
{
    /// <param name="consecutiveFailures">Failed attempts since the endpoint's last success (or since it was enabled).</param>
    /// <param name="lastFailureAt">When the last failed attempt started.</param>
    /// <param name="probesSent">Probes sent since the circuit last closed: each doubles the open period. Failures of
    /// requests that were already in flight when the circuit opened do not: they only move its start.</param>
    /// <param name="probeSentAt">When the last probe was claimed, if any.</param>
    /// <param name="probeWait">How long a probe may take to be answered and recorded: longer, and another one is sent.</param>
    public static CircuitDecision Decide(CircuitBreakerSettings settings, int consecutiveFailures, DateTimeOffset? lastFailureAt, int probesSent,
        DateTimeOffset? probeSentAt, DateTimeOffset now, TimeSpan probeWait) =>
        Status(settings, consecutiveFailures, lastFailureAt, probesSent, probeSentAt, now, probeWait) switch
        {
            { State: CircuitState.Closed } => new CircuitDecision.Closed(),
            { NextProbeAt: { } until } => new CircuitDecision.Wait(until),
            _ => new CircuitDecision.Probe(),
        };

    /// <summary>
    /// The circuit as the endpoint's owner sees it (same parameters as <see cref="Decide"/>): open
    /// until the next probe may go, half-open while a probe is awaited or the next due delivery will
    /// be one, closed otherwise.
    /// </summary>
    public static CircuitStatus Status(CircuitBreakerSettings settings, int consecutiveFailures, DateTimeOffset? lastFailureAt, int probesSent,
        DateTimeOffset? probeSentAt, DateTimeOffset now, TimeSpan probeWait)
    {
        if (!settings.Enabled || consecutiveFailures < settings.FailureThreshold || lastFailureAt is not { } failedAt)
            return new CircuitStatus(CircuitState.Closed, null, null);

        var openUntil = failedAt + OpenPeriod(settings, probesSent);
        if (now < openUntil) return new CircuitStatus(CircuitState.Open, openUntil, null);
        // A probe claimed after the last failure has not failed (yet): wait for its answer.
        if (probeSentAt is { } sent && sent > failedAt && now < sent + probeWait) return new CircuitStatus(CircuitState.HalfOpen, sent + probeWait, sent);
        return new CircuitStatus(CircuitState.HalfOpen, null, null);
    }

    /// <summary>The open period after <paramref name="probesSent"/> probes that did not close the circuit: doubling, capped.</summary>
    public static TimeSpan OpenPeriod(CircuitBreakerSettings settings, int probesSent)
    {
        var period = settings.OpenFor;
        for (var i = 0; i < probesSent && period < settings.MaxOpenFor; i++) period *= 2;
        return period < settings.MaxOpenFor ? period : settings.MaxOpenFor;
    }
}
