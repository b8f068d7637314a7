using System.Globalization;
using System.Text.Json;
using Integrations.Domain.Common;

namespace Integrations.Domain.Connectors;

/// <summary>
/// One condition on an event: <c>{"path": "data.amount_cents", "op": "gte", "value": 1000}</c>. The path is a
/// template path (<see cref="TemplatePath"/>); the value is JSON text.
/// </summary>
public sealed record RouteCondition(string Path, string Op, string? Value);

/// <summary>
/// Which events of a route's types it acts on: every condition must hold. Nothing runs: a condition
/// compares one value of the event with a literal. A missing value fails every operator but
/// <c>ne</c>, <c>not_in</c> and <c>exists: false</c> (as in most query languages).
/// </summary>
public sealed class RouteFilter
{
    public const int MaxConditions = 20;
    public const int MaxValueBytes = 4096;
    public const int MaxInValues = 100;

    public static readonly IReadOnlyList<string> Operators = ["eq", "ne", "in", "not_in", "exists", "gt", "gte", "lt", "lte", "contains", "starts_with"];

    public static readonly RouteFilter Everything = new([]);

    private readonly IReadOnlyList<(TemplatePath Path, string Op, JsonElement Value)> _conditions;

    private RouteFilter(IReadOnlyList<(TemplatePath, string, JsonElement)> conditions) => _conditions = conditions;

    /// <summary>The conditions as given, for storage and display.</summary>
    public IReadOnlyList<RouteCondition> Conditions => _conditions.Select(c => new RouteCondition(c.Path.Text, c.Op, c.Value.GetRawText())).ToList();

    /// <exception cref="DomainException">invalid_filter, naming the condition and why.</exception>
    public static RouteFilter Parse(IReadOnlyList<RouteCondition> conditions)
    {
        if (conditions.Count > MaxConditions) throw Invalid($"A filter has at most {MaxConditions} conditions.");
        var parsed = new List<(TemplatePath, string, JsonElement)>();
        for (var i = 0; i < conditions.Count; i++)
        {
            var (path, op, value) = conditions[i];
            var where = $"filter[{i}]";
            if (!Operators.Contains(op)) throw Invalid($"{where}.op '{op}' is not one of {string.Join(", ", Operators)}.");
            TemplatePath templatePath;
            try
            {
                templatePath = TemplatePath.Parse(path);
            }
            catch (DomainException e)
            {
                throw Invalid($"{where}.path: {e.Message}");
            }
            if (value is null) throw Invalid($"{where}.value is required.");
            if (System.Text.Encoding.UTF8.GetByteCount(value) > MaxValueBytes) throw Invalid($"{where}.value is longer than {MaxValueBytes} bytes.");
            JsonElement literal;
            try
            {
                literal = JsonDocument.Parse(value).RootElement.Clone();
            }
            catch (JsonException)
            {
                throw Invalid($"{where}.value is not JSON.");
            }
            var kindError = op switch
            {
                "in" or "not_in" when literal.ValueKind != JsonValueKind.Array => "must be an array",
                "in" or "not_in" when literal.GetArrayLength() > MaxInValues => $"has more than {MaxInValues} values",
                "exists" when literal.ValueKind is not (JsonValueKind.True or JsonValueKind.False) => "must be true or false",
                "gt" or "gte" or "lt" or "lte" when literal.ValueKind is not (JsonValueKind.Number or JsonValueKind.String) => "must be a number or a string",
                "starts_with" when literal.ValueKind != JsonValueKind.String => "must be a string",
                _ => null,
            };
            if (kindError is not null) throw Invalid($"{where}.value {kindError} for '{op}'.");
            parsed.Add((templatePath, op, literal));
        }
        return new RouteFilter(parsed);
    }

    public bool Matches(TemplateEvent @event, JsonElement data) => _conditions.All(c => Holds(c.Op, c.Path.Resolve(@event, data), c.Value));

    private static bool Holds(string op, JsonElement? actual, JsonElement literal) => (op, actual) switch
    {
        ("exists", var a) => (a is not null) == literal.GetBoolean(),
        ("ne", null) or ("not_in", null) => true,
        (_, null) => false,
        ("eq", { } a) => Same(a, literal),
        ("ne", { } a) => !Same(a, literal),
        ("in", { } a) => literal.EnumerateArray().Any(v => Same(a, v)),
        ("not_in", { } a) => !literal.EnumerateArray().Any(v => Same(a, v)),
        ("contains", { ValueKind: JsonValueKind.Array } a) => a.EnumerateArray().Any(v => Same(v, literal)),
        ("contains", { ValueKind: JsonValueKind.String } a) => literal.ValueKind == JsonValueKind.String &&
                                                              a.GetString()!.Contains(literal.GetString()!, StringComparison.Ordinal),
        ("starts_with", { ValueKind: JsonValueKind.String } a) => a.GetString()!.StartsWith(literal.GetString()!, StringComparison.Ordinal),
        ("gt", { } a) => Compare(a, literal) is > 0,
        ("gte", { } a) => Compare(a, literal) is >= 0,
        ("lt", { } a) => Compare(a, literal) is < 0,
        ("lte", { } a) => Compare(a, literal) is <= 0,
        _ => false,
    };

    /// <summary>JSON equality: numbers by value (1 equals 1.0), everything else structurally.</summary>
    private static bool Same(JsonElement a, JsonElement b) =>
        a.ValueKind == JsonValueKind.Number && b.ValueKind == JsonValueKind.Number ? Compare(a, b) == 0 : JsonElement.DeepEquals(a, b);

    /// <summary>Numbers with numbers, strings with strings (ordinal: RFC 3339 instants in UTC order as text); anything else does not compare.</summary>
    private static int? Compare(JsonElement a, JsonElement b)
    {
        if (a.ValueKind == JsonValueKind.String && b.ValueKind == JsonValueKind.String)
            return Math.Sign(string.CompareOrdinal(a.GetString(), b.GetString()));
        if (a.ValueKind != JsonValueKind.Number || b.ValueKind != JsonValueKind.Number) return null;
        if (a.TryGetDecimal(out var x) && b.TryGetDecimal(out var y)) return x.CompareTo(y);
        return double.Parse(a.GetRawText(), CultureInfo.InvariantCulture).CompareTo(double.Parse(b.GetRawText(), CultureInfo.InvariantCulture));
    }

    private static DomainException Invalid(string message) => new("invalid_filter", message);
}
