namespace Integrations.Application.Connectors;

/// <summary>How the connector runtime calls providers (configuration section "Connectors"; docs/configuration.md).</summary>
public sealed class ConnectorsOptions
{
    public const string Section = "Connectors";

    /// <summary>One attempt of an API call: connect, send, answer headers and the first 1 KiB of the body.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    public ConnectorRetryOptions Retry { get; set; } = new();

    public ConnectorBreakerOptions CircuitBreaker { get; set; } = new();

    /// <summary>Dead letters of one connection that open a "dead letters piling up" incident for its tenant.</summary>
    public int DeadLetterIncidentThreshold { get; set; } = 10;

    /// <summary>A call held this long or longer for a provider's quota (a used-up day) opens the connection's quota incident.</summary>
    public TimeSpan QuotaIncidentAfter { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Calls one Workers process holds at once (in flight or waiting between attempts).</summary>
    public int MaxConcurrency { get; set; } = 256;

    /// <summary>Most calls claimed in one round trip.</summary>
    public int ClaimBatchSize { get; set; } = 128;

    /// <summary>Most call results recorded in one transaction.</summary>
    public int ResultBatchSize { get; set; } = 200;

    /// <summary>Fallback look for due calls when no notification came (scheduled waits, other processes' releases).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long a claimed call is reserved for the process that claimed it; if that process dies, the
    /// call is due again when the lease runs out. Unset: the longest a run can take (every attempt
    /// timing out, every wait at its longest) plus 30 s.
    /// </summary>
    public TimeSpan? LeaseDuration { get; set; }

    /// <summary>How long a connection's credentials (as <c>IConnectionAccess</c> gave them) are reused before they are asked for again.</summary>
    public TimeSpan AccessCacheDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The longest a run can take in memory: every attempt timing out and every wait between them at its longest.</summary>
    public TimeSpan MaxRunTime => Timeout * Retry.MaxAttempts + Retry.MaxDelay * (Retry.MaxAttempts - 1);

    public TimeSpan Lease => LeaseDuration ?? MaxRunTime + TimeSpan.FromSeconds(30);

    public void Validate()
    {
        if (Timeout <= TimeSpan.Zero) throw new InvalidOperationException("Connectors:Timeout must be positive.");
        if (Retry.MaxAttempts < 1 || Retry.BaseDelay <= TimeSpan.Zero || Retry.MaxDelay < Retry.BaseDelay)
            throw new InvalidOperationException("Connectors:Retry: MaxAttempts must be at least 1, BaseDelay positive and MaxDelay at least BaseDelay.");
        var breaker = CircuitBreaker;
        if (breaker.FailureThreshold < 2 || breaker.BreakDuration < TimeSpan.FromMilliseconds(500) || breaker.MaxBreakDuration < breaker.BreakDuration
            || breaker.SamplingDuration < TimeSpan.FromMilliseconds(500) || breaker.IncidentAfter <= TimeSpan.Zero)
        {
            throw new InvalidOperationException("Connectors:CircuitBreaker: FailureThreshold must be at least 2, BreakDuration and SamplingDuration at least " +
                                                "0.5 s, MaxBreakDuration at least BreakDuration, IncidentAfter positive.");
        }
        if (QuotaIncidentAfter <= TimeSpan.Zero) throw new InvalidOperationException("Connectors: QuotaIncidentAfter must be positive.");
        if (DeadLetterIncidentThreshold < 1 || MaxConcurrency < 1 || ClaimBatchSize < 1 || ResultBatchSize < 1 || PollInterval <= TimeSpan.Zero
            || AccessCacheDuration < TimeSpan.Zero)
            throw new InvalidOperationException("Connectors: DeadLetterIncidentThreshold and the sizes must be at least 1, PollInterval positive, AccessCacheDuration not negative.");
        if (Lease <= Timeout) throw new InvalidOperationException("Connectors:LeaseDuration must be longer than Connectors:Timeout.");
    }
}

/// <summary>Connectors:Retry: the attempts of a call, with exponential backoff and jitter between them.</summary>
public sealed class ConnectorRetryOptions
{
    /// <summary>HTTP attempts of a call (per replay) before it is dead-lettered.</summary>
    public int MaxAttempts { get; set; } = 5;

    /// <summary>The first backoff; each next one doubles, with jitter.</summary>
    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The longest wait spent in memory between two attempts. A provider that asks for longer
    /// (Retry-After, its reset header) gets it: the call goes back to the ledger, due then.
    /// </summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>Connectors:CircuitBreaker: one breaker per connection.</summary>
public sealed class ConnectorBreakerOptions
{
    /// <summary>Failures in a row (no success between them, within <see cref="SamplingDuration"/>) that open it.</summary>
    public int FailureThreshold { get; set; } = 5;

    /// <summary>How long it stays open before one probe goes; doubled by every failed probe.</summary>
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan MaxBreakDuration { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The window in which the failures are counted.</summary>
    public TimeSpan SamplingDuration { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>A breaker open (through failed probes) this long opens a "breaker open" incident for the tenant.</summary>
    public TimeSpan IncidentAfter { get; set; } = TimeSpan.FromMinutes(15);
}
