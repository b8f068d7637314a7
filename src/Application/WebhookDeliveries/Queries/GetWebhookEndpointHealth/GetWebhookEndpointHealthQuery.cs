using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Messaging;
using Integrations.Application.WebhookEndpoints;
using Integrations.Domain.Webhooks;
using MediatR;

namespace Integrations.Application.WebhookDeliveries.Queries.GetWebhookEndpointHealth;

/// <summary>The wire values of a circuit's state.</summary>
public static class CircuitStates
{
    public const string Closed = "closed";
    public const string Open = "open";
    public const string HalfOpen = "half_open";

    public static string Of(CircuitState state) => state switch
    {
        CircuitState.Open => Open,
        CircuitState.HalfOpen => HalfOpen,
        _ => Closed,
    };
}

/// <summary>An endpoint's circuit breaker (docs/webhooks.md#circuit-breaker).</summary>
/// <param name="State">closed, open or half_open.</param>
/// <param name="NextProbeAt">Open: when a probe may go. Half-open with a probe out: when another goes if it is not answered. Otherwise null.</param>
/// <param name="ProbeSentAt">The probe out, if any.</param>
/// <param name="FailureThreshold">Failed attempts in a row that open the circuit; 0 when the breaker is off.</param>
public sealed record WebhookEndpointCircuitDto(string State, DateTimeOffset? NextProbeAt, DateTimeOffset? ProbeSentAt, int FailureThreshold);

/// <summary>
/// The last hour's attempts (whole minutes, up to the current one). Kept by Marten's async daemon
/// from the delivery log: a few hundred milliseconds behind the attempts themselves.
/// </summary>
/// <param name="SuccessRate">Succeeded attempts over all attempts, 0 to 1; null without attempts.</param>
/// <param name="AverageDurationMs">Mean response time of the attempts; null without attempts.</param>
public sealed record WebhookEndpointRecentDto(int WindowMinutes, int Attempts, int Succeeded, int Failed, int DeadLettered,
    double? SuccessRate, double? AverageDurationMs, int? MaxDurationMs);

/// <summary>How an endpoint is doing: its failure streak, its circuit, what waits for it and its last hour.</summary>
/// <param name="AutoDisableAfter">The streak at which the endpoint is disabled (Webhooks:AutoDisableAfterConsecutiveFailures).</param>
/// <param name="PendingDeliveries">Deliveries not yet succeeded or dead-lettered: due, scheduled for a retry, or held.</param>
/// <param name="HeldDeliveries">Of those, the ones the open circuit holds back until a probe succeeds.</param>
public sealed record WebhookEndpointHealthDto(
    Guid EndpointId,
    string Status,
    int ConsecutiveFailures,
    int AutoDisableAfter,
    DateTimeOffset? LastSuccessAt,
    DateTimeOffset? LastFailureAt,
    WebhookEndpointCircuitDto Circuit,
    long PendingDeliveries,
    long HeldDeliveries,
    WebhookEndpointRecentDto LastHour);

public sealed record GetWebhookEndpointHealthQuery(Guid TenantId, Guid EndpointId) : IQuery<WebhookEndpointHealthDto>;

public sealed class GetWebhookEndpointHealthQueryHandler(IWebhookEndpointHealthReadModel health, WebhookDeliveryOptions options, IClock clock)
    : IRequestHandler<GetWebhookEndpointHealthQuery, WebhookEndpointHealthDto>
{
    private static WebhookEndpointRecentDto LastHour(RecentAttempts r) => new(60, r.Attempts, r.Succeeded, r.Failed, r.DeadLettered,
        r.Attempts == 0 ? null : Math.Round((double)r.Succeeded / r.Attempts, 4),
        r.Attempts == 0 ? null : Math.Round((double)r.DurationMsSum / r.Attempts, 1),
        r.Attempts == 0 ? null : r.DurationMsMax);

    public async Task<WebhookEndpointHealthDto> Handle(GetWebhookEndpointHealthQuery request, CancellationToken cancellationToken) =>
        Describe(await health.FindAsync(request.TenantId, request.EndpointId, cancellationToken) ?? throw WebhookEndpointAggregate.NotFound(), options,
            clock.UtcNow);

    /// <summary>An endpoint's health from its stored facts: also what the operator view shows of every endpoint.</summary>
    public static WebhookEndpointHealthDto Describe(EndpointHealthFacts facts, WebhookDeliveryOptions options, DateTimeOffset now)
    {
        var circuit = EndpointCircuit.Status(options.CircuitBreaker, facts.ConsecutiveFailures, facts.LastFailureAt, facts.ProbesSent,
            facts.ProbeSentAt, now, options.ProbeWait);
        return new WebhookEndpointHealthDto(facts.EndpointId, facts.Status, facts.ConsecutiveFailures, options.AutoDisableAfterConsecutiveFailures,
            facts.LastSuccessAt, facts.LastFailureAt,
            new WebhookEndpointCircuitDto(CircuitStates.Of(circuit.State), circuit.NextProbeAt, circuit.ProbeSentAt, options.CircuitBreaker.FailureThreshold),
            facts.PendingDeliveries, facts.HeldDeliveries, LastHour(facts.Recent));
    }
}
