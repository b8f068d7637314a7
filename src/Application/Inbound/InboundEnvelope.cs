using System.Globalization;
using System.Text.Json;
using Integrations.Application.Common;
using Integrations.Application.Common.Interfaces;

namespace Integrations.Application.Inbound;

/// <summary>
/// The value of every message on integrations.inbound.v1 (docs/kafka-topics.md): the verified request
/// with its raw body (base64, as it arrived), so the pipeline never re-reads what Kafka handed it.
/// </summary>
public sealed record InboundEnvelope(
    Guid Id, DateTimeOffset ReceivedAt, string? Provider, Guid? SourceId, Guid? TenantId, string? AccountId, string? ContentType,
    IReadOnlyDictionary<string, string> Headers, string BodyBase64, int SchemaVersion)
{
    public const int CurrentSchemaVersion = 1;

    public static InboundEnvelope From(NewInboundRequest request) => new(request.Id, request.ReceivedAt, request.Target.Provider, request.Target.SourceId,
        request.TenantId, request.ExternalAccountId, request.ContentType, request.Headers, Convert.ToBase64String(request.Body), CurrentSchemaVersion);

    /// <summary>
    /// Keyed by the tenant where it is known (a source), else by provider and account: one tenant's or
    /// account's requests stay in order on one partition, and the pipeline's lanes follow the key.
    /// </summary>
    public string Key => TenantId is { } tenant ? tenant.ToString() : $"{Provider}:{AccountId}";

    public OutboxMessage ToOutboxMessage(string correlationId) => new(
        Id,
        Topics.Inbound,
        Key,
        JsonSerializer.Serialize(this, JsonDefaults.Options),
        new Dictionary<string, string>
        {
            ["inbound-request-id"] = Id.ToString(),
            ["schema-version"] = SchemaVersion.ToString(CultureInfo.InvariantCulture),
            ["content-type"] = "application/json",
            ["correlation-id"] = correlationId,
        },
        AwaitsConsumer: true);

    public static InboundEnvelope Parse(string json) =>
        JsonSerializer.Deserialize<InboundEnvelope>(json, JsonDefaults.Options) ?? throw new JsonException("Empty inbound envelope.");
}
