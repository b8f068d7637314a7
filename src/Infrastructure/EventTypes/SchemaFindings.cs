using System.Text.Json;
using Integrations.Application.Common.Interfaces;
using Json.Pointer;
using Json.Schema;

namespace Integrations.Infrastructure.EventTypes;

/// <summary>
/// Turns JsonSchema.Net's hierarchical output into our violations: a path into <c>data</c>
/// ("amount_cents", "items[2].name", from the instance location's JSON Pointer) and a message that
/// reads after it ("must be an integer, not a string."). Messages are ours, worded from the failing
/// keyword's value in the schema and the value found; the library's own message is the fallback.
/// The walk descends only where a subschema's failure is the instance's failure: a failed
/// <c>anyOf</c> branch, an <c>if</c>, a <c>not</c>'s subschema or an item that <c>contains</c>
/// did not match are no findings of their own.
/// </summary>
internal sealed class SchemaFindings
{
    private readonly JsonElement _schema;
    private readonly JsonElement _data;
    private readonly int _max;
    private readonly List<SchemaViolation> _found = [];
    private readonly HashSet<SchemaViolation> _seen = [];

    private SchemaFindings(JsonElement schema, JsonElement data, int max)
    {
        _schema = schema;
        _data = data;
        _max = max;
    }

    public static IReadOnlyList<SchemaViolation> Read(EvaluationResults results, JsonElement schema, JsonElement data, int max)
    {
        var findings = new SchemaFindings(schema, data, max);
        findings.Visit(results, propertyName: false);
        // Invalid data always gets at least one finding, even from a keyword this walk does not know.
        if (findings._found.Count == 0 && !results.IsValid) findings.Add("", "does not match its schema.");
        return findings._found;
    }

    private bool Full => _found.Count >= _max;

    private void Add(string path, string message)
    {
        var violation = new SchemaViolation(path, message);
        if (!Full && _seen.Add(violation)) _found.Add(violation);
    }

    /// <param name="propertyName">The node evaluated a property's name (<c>propertyNames</c>), not its value.</param>
    private void Visit(EvaluationResults node, bool propertyName)
    {
        if (node.IsValid || Full) return;
        var (path, instance) = Locate(node.InstanceLocation, propertyName);
        var schema = SchemaAt(node.EvaluationPath);
        var prefix = propertyName ? "is not an allowed property name: it " : "";

        if (node.Errors is { } errors)
        {
            if (errors.ContainsKey(""))
            {
                Add(path, propertyName ? "is not an allowed property name." : "is not allowed here.");
                return;
            }
            // A value of the wrong type makes every other finding about it noise.
            if (errors.TryGetValue("type", out var typeError))
            {
                Add(path, prefix + (SchemaMessages.Type(schema, instance) ?? SchemaMessages.Sentence(typeError)));
                return;
            }
            foreach (var (keyword, error) in errors)
                Describe(keyword, error, path, instance, schema, node, prefix);
        }
        if (node.Details is null) return;

        var depth = node.EvaluationPath.SegmentCount;
        foreach (var group in node.Details.GroupBy(d => Keyword(d.EvaluationPath, depth)))
        {
            switch (group.Key)
            {
                case "anyOf" when group.All(d => !d.IsValid):
                    Add(path, prefix + "must match at least one of the schemas in anyOf.");
                    break;
                case "oneOf" when group.Count(d => d.IsValid) is var matched && matched != 1:
                    Add(path, prefix + $"must match exactly one of the schemas in oneOf; it matches {(matched == 0 ? "none" : matched)}.");
                    break;
                case "not" when group.All(d => d.IsValid):
                    Add(path, prefix + "must not match the schema in not.");
                    break;
                case "anyOf" or "oneOf" or "not" or "if" or "contains":
                    break;
                case "propertyNames":
                    foreach (var child in group) Visit(child, propertyName: true);
                    break;
                default:
                    foreach (var child in group) Visit(child, propertyName);
                    break;
            }
        }
    }

    private void Describe(string keyword, string error, string path, JsonElement instance, JsonElement? schema, EvaluationResults node, string prefix)
    {
        switch (keyword)
        {
            case "required" when schema?.TryGetProperty("required", out var required) == true && instance.ValueKind == JsonValueKind.Object:
                foreach (var name in required.EnumerateArray().Select(r => r.GetString()!).Where(n => !instance.TryGetProperty(n, out _)))
                    Add(Child(path, name), "is required.");
                return;
            case "dependentRequired" when schema?.TryGetProperty("dependentRequired", out var dependent) == true && instance.ValueKind == JsonValueKind.Object:
                foreach (var rule in dependent.EnumerateObject().Where(r => instance.TryGetProperty(r.Name, out _)))
                foreach (var name in rule.Value.EnumerateArray().Select(r => r.GetString()!).Where(n => !instance.TryGetProperty(n, out _)))
                    Add(Child(path, name), $"is required when {rule.Name} is present.");
                return;
            case "contains":
                var matching = node.Details?.Count(d => d.IsValid && Keyword(d.EvaluationPath, node.EvaluationPath.SegmentCount) == "contains") ?? 0;
                Add(path, prefix + (SchemaMessages.Contains(schema, matching) ?? SchemaMessages.Sentence(error)));
                return;
            default:
                Add(path, prefix + (SchemaMessages.For(keyword, schema, instance) ?? SchemaMessages.Sentence(error)));
                return;
        }
    }

    /// <summary>The keyword of <paramref name="evaluationPath"/> just below a node at <paramref name="depth"/>.</summary>
    private static string Keyword(JsonPointer evaluationPath, int depth) =>
        evaluationPath.SegmentCount > depth ? Unescape(evaluationPath[depth].ToString()) : "";

    /// <summary>Our path for an instance location, walking <c>data</c> to tell array indexes from property names.</summary>
    private (string Path, JsonElement Instance) Locate(JsonPointer location, bool propertyName)
    {
        var path = "";
        var current = _data;
        var name = "";
        for (var i = 0; i < location.SegmentCount; i++)
        {
            var segment = Unescape(location[i].ToString());
            if (current.ValueKind == JsonValueKind.Array && int.TryParse(segment, out var index) && index < current.GetArrayLength())
            {
                path += $"[{index}]";
                current = current[index];
            }
            else
            {
                path = Child(path, segment);
                name = segment;
                current = current.ValueKind == JsonValueKind.Object && current.TryGetProperty(segment, out var value) ? value : default;
            }
        }
        return (path, propertyName ? JsonSerializer.SerializeToElement(name) : current);
    }

    /// <summary>
    /// The schema object a result evaluated, found by walking this schema's document along the
    /// evaluation path and following <c>$ref</c>s within it; null elsewhere (an anchor, another
    /// document), and the library's message is used. (The library's schemaLocation is not used: in
    /// 8.0.5 it is wrong below items, additionalProperties and other single-subschema keywords.)
    /// </summary>
    private JsonElement? SchemaAt(JsonPointer evaluationPath)
    {
        var current = _schema;
        for (var i = 0; i < evaluationPath.SegmentCount; i++)
        {
            var segment = Unescape(evaluationPath[i].ToString());
            if (segment is "$ref" or "$dynamicRef")
            {
                if (!current.TryGetProperty(segment, out var reference) || Resolve(reference.GetString()) is not { } target) return null;
                current = target;
            }
            else if (current.ValueKind == JsonValueKind.Object)
            {
                // The library escapes a property name's '~' and '/' twice in the evaluation path.
                if (!current.TryGetProperty(segment, out var child) && !current.TryGetProperty(Unescape(segment), out child)) return null;
                current = child;
            }
            else if (current.ValueKind == JsonValueKind.Array && int.TryParse(segment, out var index) && index >= 0 && index < current.GetArrayLength())
            {
                current = current[index];
            }
            else
            {
                return null;
            }
        }
        return current.ValueKind == JsonValueKind.Object ? current : null;
    }

    private JsonElement? Resolve(string? reference)
    {
        if (reference is null || !reference.StartsWith('#')) return null;
        var fragment = Uri.UnescapeDataString(reference[1..]);
        return JsonPointer.TryParse(fragment, out var pointer) ? pointer.Evaluate(_schema) : null;
    }

    private static string Unescape(string segment) => segment.Replace("~1", "/").Replace("~0", "~");

    private static string Child(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";
}
