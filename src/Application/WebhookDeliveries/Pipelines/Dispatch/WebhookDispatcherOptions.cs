using Integrations.Domain.Webhooks;

namespace Integrations.Application.WebhookDeliveries.Pipelines.Dispatch;

/// <summary>How the Workers host sends webhooks (configuration section "Webhooks"; docs/configuration.md).</summary>
public sealed class WebhookDispatcherOptions
{
    public const string SectionName = "Webhooks";

    /// <summary>Skip the SSRF address rules at connect time (development and tests only).</summary>
    public bool AllowPrivateNetworkTargets { get; set; }

    /// <summary>Total time for one attempt: connect, send, response headers and the first 1 KiB of the body.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Deliveries held per Workers instance: in flight, or waiting for their rate-limit slot or a connection.</summary>
    public int MaxConcurrency { get; set; } = 256;

    /// <summary>Requests in flight per endpoint and Workers instance: a hanging endpoint holds at most this many.</summary>
    public int MaxConcurrencyPerEndpoint { get; set; } = 16;

    /// <summary>
    /// How long a claimed delivery is reserved for the instance that claimed it. If that instance
    /// dies, the delivery is sent again (same webhook_id) once the lease runs out. Unset: the
    /// timeout plus 30 s, which covers the wait for a rate-limit slot and recording the result.
    /// </summary>
    public TimeSpan? LeaseDuration { get; set; }

    /// <summary>Most deliveries claimed in one round trip.</summary>
    public int ClaimBatchSize { get; set; } = 256;

    /// <summary>Most attempt results recorded in one transaction.</summary>
    public int ResultBatchSize { get; set; } = 500;

    /// <summary>Fallback check for due deliveries when no notification arrived (scheduled retries, other instances' results).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan Lease => LeaseDuration ?? Timeout + TimeSpan.FromSeconds(30);

    /// <summary>The per-endpoint circuit breaker (Webhooks:CircuitBreaker; see <see cref="EndpointCircuit"/>).</summary>
    public CircuitBreakerOptions CircuitBreaker { get; set; } = new();

    /// <summary>How long the other deliveries of an endpoint wait for its probe's answer before another probe goes.</summary>
    public TimeSpan ProbeWait => Timeout + TimeSpan.FromSeconds(1);
}

/// <summary>Webhooks:CircuitBreaker; defaults from <see cref="CircuitBreakerSettings.Default"/>.</summary>
public sealed class CircuitBreakerOptions
{
    /// <summary>Consecutive failed attempts that open an endpoint's circuit; 0 turns the breaker off.</summary>
    public int FailureThreshold { get; set; } = CircuitBreakerSettings.Default.FailureThreshold;

    /// <summary>How long the circuit stays open at first; doubled by every failed probe.</summary>
    public TimeSpan OpenFor { get; set; } = CircuitBreakerSettings.Default.OpenFor;

    /// <summary>The longest the circuit stays open between probes.</summary>
    public TimeSpan MaxOpenFor { get; set; } = CircuitBreakerSettings.Default.MaxOpenFor;

    public CircuitBreakerSettings Settings => new(FailureThreshold, OpenFor, MaxOpenFor);
}
