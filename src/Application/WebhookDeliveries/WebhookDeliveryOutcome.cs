using System.Globalization;
using System.Text.Json;
using Integrations.Application.Common;
using Integrations.Application.Common.Interfaces;
using Integrations.Domain.Common;

namespace Integrations.Application.WebhookDeliveries;

/// <summary>
/// The value of every message on integrations.webhook-deliveries.v1 (docs/kafka-topics.md): what
/// one attempt came to, or a delivery dead-lettered without an attempt (<see cref="Attempt"/> null).
/// Never the payload, never a secret. <see cref="Status"/>: succeeded, retry_scheduled or failed.
/// </summary>
public sealed record WebhookDeliveryOutcome(
    Guid DeliveryId,
    Guid EventId,
    string EventType,
    Guid TenantId,
    Guid EndpointId,
    bool IsTest,
    int? Attempt,
    string Status,
    int? StatusCode,
    int? DurationMs,
    string? ErrorKind,
    DateTimeOffset? AttemptedAt,
    DateTimeOffset? NextAttemptAt,
    string? FailureReason,
    DateTimeOffset RecordedAt,
    int SchemaVersion = WebhookDeliveryOutcome.CurrentSchemaVersion)
{
    public const int CurrentSchemaVersion = 1;
    public const string Succeeded = "succeeded";
    public const string RetryScheduled = "retry_scheduled";
    public const string Failed = "failed";

    /// <summary>
    /// Keyed by tenant like integrations.events.v1. An attempt's message id is derived from
    /// (delivery, attempt), so a re-recorded outcome carries the same id, and it sorts by the
    /// event's time like the delivery's id. Nothing awaits these messages, so a recording's outcomes
    /// for one tenant usually share a bundle row in the outbox, which keeps no per-message id;
    /// consumers dedupe on (delivery_id, attempt) in the payload (docs/kafka-topics.md).
    /// </summary>
    public OutboxMessage ToOutboxMessage(string correlationId) => new(
        Attempt is { } attempt ? NameBasedGuid.CreateTimeOrdered(DeliveryId, EndpointId, attempt) : Guid.CreateVersion7(),
        Topics.WebhookDeliveries,
        TenantId.ToString(),
        JsonSerializer.Serialize(this, JsonDefaults.Options),
        new Dictionary<string, string>
        {
            ["delivery-id"] = DeliveryId.ToString(),
            ["event-id"] = EventId.ToString(),
            ["tenant-id"] = TenantId.ToString(),
            ["status"] = Status,
            ["schema-version"] = SchemaVersion.ToString(CultureInfo.InvariantCulture),
            ["content-type"] = "application/json",
            ["correlation-id"] = correlationId,
        },
        AwaitsConsumer: false);
}
