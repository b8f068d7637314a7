using Integrations.Domain.Webhooks;

namespace Integrations.Application.WebhookDeliveries;

/// <summary>Delivery rules the use cases apply (configuration section "Webhooks").</summary>
public sealed class WebhookDeliveryOptions
{
    public const int DefaultAutoDisableAfterConsecutiveFailures = 100;

    /// <summary>Delays before the retries (Webhooks:RetrySchedule, e.g. "1m,5m,30m"): its length is the number of retries.</summary>
    public IReadOnlyList<TimeSpan> RetrySchedule { get; init; } = RetryPolicy.DefaultSchedule;

    /// <summary>An endpoint whose attempts failed this many times in a row is disabled (Webhooks:AutoDisableAfterConsecutiveFailures).</summary>
    public int AutoDisableAfterConsecutiveFailures { get; init; } = DefaultAutoDisableAfterConsecutiveFailures;

    /// <summary>The per-endpoint circuit breaker (Webhooks:CircuitBreaker), for showing an endpoint's circuit.</summary>
    public CircuitBreakerSettings CircuitBreaker { get; init; } = CircuitBreakerSettings.Default;

    /// <summary>How long a probe is awaited before another goes (Webhooks:Timeout + 1 s).</summary>
    public TimeSpan ProbeWait { get; init; } = TimeSpan.FromSeconds(11);
}
