using System.Globalization;
using System.Text.Json;
using Integrations.Application.Common;
using Integrations.Application.Common.Interfaces;
using Integrations.Domain.ProductBridge;

namespace Integrations.Application.ProductBridge;

/// <summary>
/// The value of every message on integrations.product-commands.v1, and the body POSTed to a tenant's
/// callback (docs/kafka-topics.md; schema: docs/schemas/integrations.product-commands.v1.command.schema.json).
/// </summary>
/// <remarks><see cref="Data"/> is written as the sender gave it (<see cref="VerbatimJsonConverter"/>).</remarks>
public sealed record ProductCommandEnvelope(
    Guid Id,
    string Command,
    Guid TenantId,
    EntityTarget? Target,
    [property: System.Text.Json.Serialization.JsonConverter(typeof(VerbatimJsonConverter))] JsonElement Data,
    CommandOrigin Origin,
    string CorrelationId,
    string? CausationId,
    DateTimeOffset IssuedAt,
    int SchemaVersion)
{
    public const int CurrentSchemaVersion = 1;

    public static ProductCommandEnvelope Of(ProductCommandIssued issued) =>
        new(issued.CommandId, issued.Command, issued.TenantId, issued.Target, JsonDocument.Parse(issued.DataJson).RootElement, issued.Origin,
            issued.CorrelationId, issued.CausationId, issued.IssuedAt, CurrentSchemaVersion);

    /// <summary>
    /// The tenant and the record (<c>{tenant_id}/{type}/{id}</c>), so that one record's commands share a
    /// partition and stay in order; a command without a record id (a create) is keyed by the tenant alone.
    /// </summary>
    public static string Key(Guid tenantId, EntityTarget? target) =>
        target is { Id: { } id } ? $"{tenantId}/{target.Type}/{id}" : tenantId.ToString();

    public OutboxMessage ToOutboxMessage()
    {
        var headers = new Dictionary<string, string>
        {
            ["command-id"] = Id.ToString(),
            ["command"] = Command,
            ["tenant-id"] = TenantId.ToString(),
            ["schema-version"] = SchemaVersion.ToString(CultureInfo.InvariantCulture),
            ["content-type"] = "application/json",
            ["correlation-id"] = CorrelationId,
        };
        if (Target is not null) headers["entity-type"] = Target.Type;
        if (Target?.Id is { } id) headers["entity-id"] = id;
        if (CausationId is not null) headers["causation-id"] = CausationId;
        // No platform consumer must confirm it: the product is the consumer, and the callback pipeline keeps its own offsets.
        return new OutboxMessage(Id, Topics.ProductCommands, Key(TenantId, Target), JsonSerializer.Serialize(this, JsonDefaults.Options), headers, AwaitsConsumer: false);
    }

    public static ProductCommandEnvelope Parse(string json) =>
        JsonSerializer.Deserialize<ProductCommandEnvelope>(json, JsonDefaults.Options) ?? throw new JsonException("Empty product command.");
}
