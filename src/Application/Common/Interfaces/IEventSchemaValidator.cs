using System.Text.Json;

namespace Integrations.Application.Common.Interfaces;

/// <param name="Path">Where in <c>data</c>: "amount_cents", "changes.status", "changed_fields[0]"; empty for <c>data</c> itself.</param>
public sealed record SchemaViolation(string Path, string Message);

/// <summary>Checks an event's <c>data</c> against the JSON Schema its type has in the catalog.</summary>
public interface IEventSchemaValidator
{
    /// <returns>Every violation found; empty when the data conforms or the type has no schema.</returns>
    IReadOnlyList<SchemaViolation> Validate(string eventType, JsonElement data);
}
