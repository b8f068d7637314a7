using Integrations.Application.Common.Listing;
using Integrations.Application.Common.Models;

namespace Integrations.Application.Common.Interfaces;

/// <summary>The wire values of a delivery's status.</summary>
public static class WebhookDeliveryStatuses
{
    public const string Pending = "pending";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";

    public static readonly IReadOnlyList<string> All = [Pending, Succeeded, Failed];
}

/// <summary>
/// One event on its way to one endpoint, as the delivery log shows it. <see cref="Id"/> is the
/// webhook_id the receiver sees. <see cref="NextAttemptAt"/> is set while a retry is scheduled;
/// <see cref="FailureReason"/> once the delivery is dead-lettered (status failed).
/// </summary>
public record WebhookDeliveryDto(
    Guid Id,
    Guid TenantId,
    Guid EndpointId,
    Guid EventId,
    string EventType,
    string Status,
    bool IsTest,
    int AttemptCount,
    int? LastStatusCode,
    string? LastErrorKind,
    DateTimeOffset? LastAttemptAt,
    DateTimeOffset? NextAttemptAt,
    string? FailureReason,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>
/// One HTTP attempt: <see cref="StatusCode"/> when the endpoint answered, otherwise
/// <see cref="ErrorKind"/> (timeout, dns, connection_refused, connection_reset, tls, ssrf_blocked,
/// invalid_response). <see cref="ResponseBodyExcerpt"/> is at most the first 1 KiB of the answer.
/// </summary>
public sealed record WebhookAttemptDto(
    int Attempt,
    DateTimeOffset StartedAt,
    int DurationMs,
    int? StatusCode,
    string? ResponseBodyExcerpt,
    string? ErrorKind,
    bool Succeeded);

/// <summary>A delivery with every attempt, oldest first.</summary>
public sealed record WebhookDeliveryDetailDto : WebhookDeliveryDto
{
    public WebhookDeliveryDetailDto(WebhookDeliveryDto delivery, IReadOnlyList<WebhookAttemptDto> attempts) : base(delivery) => Attempts = attempts;

    public IReadOnlyList<WebhookAttemptDto> Attempts { get; }
}

/// <summary>A keyset position in an endpoint's dead letters: (failed_at, id).</summary>
public sealed record FailedDeliveryPosition(DateTimeOffset FailedAt, Guid Id);

/// <summary>The webhook_deliveries projection, and each delivery's attempts from its stream.</summary>
public interface IWebhookDeliveryReadModel
{
    /// <param name="tenantId">Null: every tenant's deliveries (the admin's view).</param>
    /// <param name="endpointId">Only this endpoint's deliveries, when set.</param>
    Task<CursorPage<WebhookDeliveryDto>> ListAsync(Guid? tenantId, Guid? endpointId, ListQuery query, CancellationToken ct);

    /// <param name="tenantId">Null: whichever tenant's it is (the admin's view).</param>
    Task<WebhookDeliveryDetailDto?> FindAsync(Guid? tenantId, Guid deliveryId, CancellationToken ct);

    /// <summary>
    /// The next <paramref name="limit"/> deliveries of the endpoint dead-lettered at or after
    /// <paramref name="since"/>, strictly after <paramref name="after"/> in (failed_at, id) order:
    /// callers walk any number of them in pages of bounded size.
    /// </summary>
    Task<IReadOnlyList<FailedDeliveryPosition>> ListFailedAsync(Guid endpointId, DateTimeOffset since, FailedDeliveryPosition? after, int limit, CancellationToken ct);
}

/// <summary>An endpoint whose delivery attempts have failed this many times in a row.</summary>
public sealed record FailingEndpoint(Guid EndpointId, Guid TenantId, int ConsecutiveFailures);

/// <summary>What is stored about an endpoint's health: its streak, the circuit's last probe and its pending deliveries.</summary>
/// <param name="HeldDeliveries">Pending deliveries its circuit holds back (a subset of <paramref name="PendingDeliveries"/>).</param>
/// <param name="ProbesSent">Probes the circuit breaker sent since the circuit last closed.</param>
public sealed record EndpointHealthFacts(
    Guid EndpointId,
    string Status,
    int ConsecutiveFailures,
    DateTimeOffset? LastFailureAt,
    DateTimeOffset? LastSuccessAt,
    DateTimeOffset? ProbeSentAt,
    long PendingDeliveries,
    long HeldDeliveries,
    int ProbesSent,
    RecentAttempts Recent);

/// <summary>Attempts in a recent window (webhook_delivery_stats, an inline projection: counted when the attempts are recorded).</summary>
public sealed record RecentAttempts(int Attempts, int Succeeded, int Failed, int DeadLettered, long DurationMsSum, int DurationMsMax);

/// <summary>The webhook_endpoint_health projection: consecutive failed attempts per endpoint, reset by a success or by enabling it.</summary>
public interface IWebhookEndpointHealthReadModel
{
    /// <summary>The endpoint's failure streak, circuit state and backlog; null if the tenant has no such endpoint.</summary>
    Task<EndpointHealthFacts?> FindAsync(Guid tenantId, Guid endpointId, CancellationToken ct);

    /// <summary>Every endpoint's facts, across tenants (the operator view), each with its tenant.</summary>
    Task<IReadOnlyList<(Guid TenantId, EndpointHealthFacts Facts)>> ListAsync(CancellationToken ct);

    /// <summary>Those of <paramref name="endpointIds"/> that are enabled and have failed at least <paramref name="threshold"/> times in a row.</summary>
    Task<IReadOnlyList<FailingEndpoint>> FindFailingAsync(IReadOnlyCollection<Guid> endpointIds, int threshold, CancellationToken ct);
}
