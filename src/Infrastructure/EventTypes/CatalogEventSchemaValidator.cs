using System.Collections.Frozen;
using System.Text.Json;
using Integrations.Application.Common.Interfaces;
using Integrations.Domain.EventTypes;

namespace Integrations.Infrastructure.EventTypes;

/// <summary>Validates event data against the catalog's schemas (JsonSchema.Net, ADR 0011), built once per process.</summary>
public sealed class CatalogEventSchemaValidator : IEventSchemaValidator
{
    /// <summary>Enough to fix a payload; a flood of findings helps nobody and costs response size.</summary>
    public const int MaxViolations = 20;

    private static readonly FrozenDictionary<string, EventDataSchema> Schemas =
        EventTypeCatalog.All.ToFrozenDictionary(t => t.Name, t => EventDataSchema.Build(t.Schema), StringComparer.Ordinal);

    public IReadOnlyList<SchemaViolation> Validate(string eventType, JsonElement data) =>
        Schemas.TryGetValue(eventType, out var schema) ? schema.Validate(data, MaxViolations) : [];
}
