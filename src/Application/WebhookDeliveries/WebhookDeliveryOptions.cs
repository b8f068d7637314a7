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
    /// <remarks>Required, like <see cref="ProbeWait"/>: both come from the dispatcher's settings, which own their defaults.</remarks>
    public required CircuitBreakerSettings CircuitBreaker { get; init; }

    /// <summary>How long a probe is awaited before another goes (the dispatcher's ProbeWait: Webhooks:Timeout + 1 s).</summary>
    public required TimeSpan ProbeWait { get; init; }
}
