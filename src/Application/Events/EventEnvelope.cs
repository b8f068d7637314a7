using System.Globalization;
using System.Text.Json;
using Integrations.Application.Common;
using Integrations.Application.Common.Interfaces;

namespace Integrations.Application.Events;

/// <summary>The value of every message on integrations.events.v1 (schema: docs/schemas/).</summary>
/// <remarks><see cref="Data"/> is written as the product published it (<see cref="VerbatimJsonConverter"/>).</remarks>
public sealed record EventEnvelope(Guid Id, string EventType, Guid TenantId, DateTimeOffset Timestamp,
    [property: System.Text.Json.Serialization.JsonConverter(typeof(VerbatimJsonConverter))] JsonElement Data, int SchemaVersion)
{
    public const int CurrentSchemaVersion = 1;

    public static OutboxMessage ToOutboxMessage(EventEnvelope envelope, long sequence, string correlationId) => new(
        envelope.Id,
        Topics.Events,
        envelope.TenantId.ToString(),
        JsonSerializer.Serialize(envelope, JsonDefaults.Options),
        new Dictionary<string, string>
        {
            ["event-id"] = envelope.Id.ToString(),
            ["event-type"] = envelope.EventType,
            ["tenant-id"] = envelope.TenantId.ToString(),
            ["schema-version"] = envelope.SchemaVersion.ToString(CultureInfo.InvariantCulture),
            ["content-type"] = "application/json",
            ["correlation-id"] = correlationId,
            ["sequence"] = sequence.ToString(CultureInfo.InvariantCulture),
        },
        AwaitsConsumer: true);

    public static EventEnvelope Parse(string json) =>
        JsonSerializer.Deserialize<EventEnvelope>(json, JsonDefaults.Options) ?? throw new JsonException("Empty event envelope.");
}
