using System.Text.Json;
using Integrations.Application.Common.Interfaces;
using Json.Schema;

namespace Integrations.Infrastructure.EventTypes;

/// <summary>
/// One event type's JSON Schema (draft 2020-12), built once by JsonSchema.Net with
/// <see cref="EventSchemaDialect"/>. Valid data, nearly all of it on the ingestion path, costs one
/// evaluation with the cheapest output (a yes or no: the library stops at the first failure and
/// records no locations); only data that fails is evaluated again with the hierarchical output,
/// which says where and why (<see cref="SchemaFindings"/>).
/// </summary>
public sealed class EventDataSchema
{
    private static readonly EvaluationOptions Verdict = new() { OutputFormat = OutputFormat.Flag, RequireFormatValidation = false };
    private static readonly EvaluationOptions Findings = new() { OutputFormat = OutputFormat.Hierarchical, RequireFormatValidation = false };

    private readonly JsonSchema _schema;
    private readonly JsonElement _source;

    private EventDataSchema(JsonSchema schema, JsonElement source)
    {
        _schema = schema;
        _source = source;
    }

    /// <summary>
    /// Builds a schema; throws <see cref="JsonSchemaException"/> for an unknown keyword, a pattern that
    /// needs backtracking, or a <c>$schema</c> other than 2020-12 (which would switch to the library's
    /// own dialect, without our keywords).
    /// </summary>
    public static EventDataSchema Build(string schemaJson)
    {
        using var document = JsonDocument.Parse(schemaJson);
        var source = document.RootElement.Clone();
        RequireDraft202012(source);
        return new EventDataSchema(JsonSchema.Build(source, EventSchemaDialect.BuildOptions()), source);
    }

    private static void RequireDraft202012(JsonElement schema)
    {
        if (schema.ValueKind == JsonValueKind.Array)
            foreach (var item in schema.EnumerateArray()) RequireDraft202012(item);
        if (schema.ValueKind != JsonValueKind.Object) return;
        foreach (var keyword in schema.EnumerateObject())
        {
            if (keyword.Name == "$schema" && keyword.Value.GetString() != MetaSchemas.Draft202012Id.OriginalString)
                throw new JsonSchemaException($"Event schemas are JSON Schema draft 2020-12; '$schema': '{keyword.Value}' is not ({MetaSchemas.Draft202012Id}).");
            RequireDraft202012(keyword.Value);
        }
    }

    public bool IsValid(JsonElement data) => _schema.Evaluate(data, Verdict).IsValid;

    /// <returns>Up to <paramref name="max"/> violations, each naming where in <paramref name="data"/>; empty when it conforms.</returns>
    public IReadOnlyList<SchemaViolation> Validate(JsonElement data, int max = int.MaxValue) =>
        IsValid(data) ? [] : SchemaFindings.Read(_schema.Evaluate(data, Findings), _source, data, max);
}
