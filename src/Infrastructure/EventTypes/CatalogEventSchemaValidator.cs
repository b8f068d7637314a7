using System.Text.Json;
using Integrations.Application.Common.Interfaces;
using Integrations.Domain.EventTypes;

namespace Integrations.Infrastructure.EventTypes;

/// <summary>Validates event data against the catalog's schemas, compiled once per process.</summary>
public sealed class CatalogEventSchemaValidator : IEventSchemaValidator
{
    /// <summary>Enough to fix a payload; a flood of findings helps nobody and costs response size.</summary>
    public const int MaxViolations = 20;

    private readonly Dictionary<string, JsonSchemaSubset> _schemas =
        EventTypeCatalog.All.ToDictionary(t => t.Name, t => JsonSchemaSubset.Compile(t.Schema), StringComparer.Ordinal);

    public IReadOnlyList<SchemaViolation> Validate(string eventType, JsonElement data) =>
        _schemas.TryGetValue(eventType, out var schema) ? schema.Validate(data).Take(MaxViolations).ToList() : [];
}
