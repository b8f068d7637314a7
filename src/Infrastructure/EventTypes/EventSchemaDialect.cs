using System.Text.Json;
using System.Text.RegularExpressions;
using Json.Schema;
using Json.Schema.Keywords;

namespace Integrations.Infrastructure.EventTypes;

/// <summary>
/// JSON Schema draft 2020-12 as JsonSchema.Net implements it (ADR 0011), with five keywords of our own:
/// <list type="bullet">
/// <item><c>pattern</c> and <c>patternProperties</c> match in time linear in the input
/// (<see cref="RegexOptions.NonBacktracking"/>). JsonSchema.Net compiles them for .NET's backtracking
/// engine with no timeout, where a pattern such as <c>^(a+)+$</c> takes exponential time on a
/// value a tenant chooses; and a timeout is no cure: it counts wall-clock time, so under load it
/// refused a valid value once. A pattern that needs backtracking (backreferences, lookarounds)
/// does not build.</item>
/// <item><c>minLength</c> and <c>maxLength</c> count Unicode code points, as 2020-12 defines a
/// string's length; JsonSchema.Net counts grapheme clusters ("é" written as e + U+0301 is one).</item>
/// <item><c>items</c> reports the items after <c>prefixItems</c> at their own index: JsonSchema.Net
/// 8.0.5 numbers them from 0 again, so a finding about the third item would name the first.</item>
/// </list>
/// Unknown keywords do not build (a misspelt "minLenght" would otherwise be a silent annotation), and
/// <c>format</c> is an annotation (2020-12's default): it documents, it does not refuse.
/// </summary>
public static class EventSchemaDialect
{
    /// <summary>The 2020-12 keyword set of JsonSchema.Net, with ours in place of the five above.</summary>
    public static Dialect Draft202012 { get; } = new(
        new[]
            {
                Vocabulary.Draft202012_Core, Vocabulary.Draft202012_Applicator, Vocabulary.Draft202012_Validation,
                Vocabulary.Draft202012_MetaData, Vocabulary.Draft202012_FormatAnnotation, Vocabulary.Draft202012_Content,
                Vocabulary.Draft202012_Unevaluated,
            }
            .SelectMany(v => v.Keywords)
            // The library's 2020-12 applicator vocabulary lacks "then" (its Draft202012 dialect has it).
            .Append(ThenKeyword.Instance)
            .Select(k => k switch
            {
                PatternKeyword => LinearPatternKeyword.Instance,
                MinLengthKeyword => CodePointMinLengthKeyword.Instance,
                MaxLengthKeyword => CodePointMaxLengthKeyword.Instance,
                ItemsKeyword => IndexedItemsKeyword.Instance,
                _ => k,
            })
            // The dialect finds a keyword by type as well as by name: additionalProperties and
            // unevaluatedProperties name PatternPropertiesKeyword as the source of annotations they
            // read, so the library's handler stays registered for that lookup, and ours, added after
            // it under the same name, is the one schemas get (EventSchemaTests proves both).
            .Append(LinearPatternPropertiesKeyword.Instance))
    {
        Id = MetaSchemas.Draft202012Id,
        AllowUnknownKeywords = false,
    };

    /// <summary>
    /// Builds with <see cref="Draft202012"/> whether or not a schema names 2020-12 in <c>$schema</c>;
    /// registries of its own, so the catalog's schemas are not added to the library's global one.
    /// </summary>
    public static BuildOptions BuildOptions()
    {
        var dialects = new DialectRegistry();
        dialects.Register(Draft202012);
        return new BuildOptions { Dialect = Draft202012, DialectRegistry = dialects, SchemaRegistry = new SchemaRegistry() };
    }

    /// <summary>Compiles a catalog pattern for linear-time matching, or says why it cannot be.</summary>
    public static Regex LinearRegex(string pattern)
    {
        try
        {
            return new Regex(pattern, RegexOptions.CultureInvariant | RegexOptions.NonBacktracking);
        }
        catch (NotSupportedException ex)
        {
            throw new JsonSchemaException($"The pattern '{pattern}' needs backtracking, which event schemas do not allow (ADR 0011): {ex.Message}");
        }
    }
}

/// <summary><c>pattern</c>, matched by a <see cref="RegexOptions.NonBacktracking"/> regex; the evaluation is the library's.</summary>
public sealed class LinearPatternKeyword : PatternKeyword
{
    public static new LinearPatternKeyword Instance { get; } = new();

    private LinearPatternKeyword() { }

    public override object? ValidateKeywordValue(JsonElement value) =>
        value.ValueKind == JsonValueKind.String ? EventSchemaDialect.LinearRegex(value.GetString()!) : base.ValidateKeywordValue(value);
}

/// <summary><c>patternProperties</c>, property names matched by <see cref="RegexOptions.NonBacktracking"/> regexes; the evaluation is the library's.</summary>
public sealed class LinearPatternPropertiesKeyword : PatternPropertiesKeyword
{
    public static new LinearPatternPropertiesKeyword Instance { get; } = new();

    private LinearPatternPropertiesKeyword() { }

    public override object? ValidateKeywordValue(JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Object)
            throw new JsonSchemaException($"'{Name}' value must be an object, found {value.ValueKind}");
        var regexes = new Dictionary<string, Regex>(StringComparer.Ordinal);
        foreach (var property in value.EnumerateObject())
        {
            if (property.Value.ValueKind is not (JsonValueKind.Object or JsonValueKind.True or JsonValueKind.False))
                throw new JsonSchemaException("Values must be valid schemas");
            var regex = EventSchemaDialect.LinearRegex(property.Name);
            regexes[property.Name] = regex;
            // The library looks a regex up by its subschema's JSON Pointer segment, where '~' and '/' are escaped.
            regexes[property.Name.Replace("~", "~0").Replace("/", "~1")] = regex;
        }
        return regexes;
    }
}

/// <summary><c>items</c>, each item evaluated at its own index (the library restarts at 0 after <c>prefixItems</c>).</summary>
public sealed class IndexedItemsKeyword : ItemsKeyword
{
    public static new IndexedItemsKeyword Instance { get; } = new();

    private IndexedItemsKeyword() { }

    public override KeywordEvaluation Evaluate(KeywordData keyword, EvaluationContext context)
    {
        if (context.Instance.ValueKind != JsonValueKind.Array) return KeywordEvaluation.Ignore;
        var prefixItems = ((int?)keyword.Value).GetValueOrDefault();
        var subschema = keyword.Subschemas[0];
        var evaluationPath = context.EvaluationPath.Combine(Name);
        var results = new List<EvaluationResults>();
        var index = 0;
        foreach (var item in context.Instance.EnumerateArray())
        {
            if (index >= prefixItems)
            {
                var result = subschema.Evaluate(context with { InstanceLocation = context.InstanceLocation.Combine(index), Instance = item, EvaluationPath = evaluationPath });
                if (context.CanOptimize && !result.IsValid) return new KeywordEvaluation { Keyword = Name, IsValid = false };
                results.Add(result);
            }
            index++;
        }
        return new KeywordEvaluation
        {
            Keyword = Name,
            IsValid = results.TrueForAll(r => r.IsValid),
            Details = results.ToArray(),
            Annotation = Json.Schema.JsonElementExtensions.True,
        };
    }
}

/// <summary><c>minLength</c> in code points.</summary>
public sealed class CodePointMinLengthKeyword : MinLengthKeyword
{
    public static new CodePointMinLengthKeyword Instance { get; } = new();

    private CodePointMinLengthKeyword() { }

    public override KeywordEvaluation Evaluate(KeywordData keyword, EvaluationContext context) =>
        context.Instance.ValueKind != JsonValueKind.String
            ? KeywordEvaluation.Ignore
            : CodePoints.Check(Name, CodePoints.Count(context.Instance) >= (long)keyword.Value!, $"Value should be at least {keyword.Value} characters");
}

/// <summary><c>maxLength</c> in code points.</summary>
public sealed class CodePointMaxLengthKeyword : MaxLengthKeyword
{
    public static new CodePointMaxLengthKeyword Instance { get; } = new();

    private CodePointMaxLengthKeyword() { }

    public override KeywordEvaluation Evaluate(KeywordData keyword, EvaluationContext context) =>
        context.Instance.ValueKind != JsonValueKind.String
            ? KeywordEvaluation.Ignore
            : CodePoints.Check(Name, CodePoints.Count(context.Instance) <= (long)keyword.Value!, $"Value should be at most {keyword.Value} characters");
}

internal static class CodePoints
{
    /// <summary>UTF-16 units less one per surrogate pair (a lone surrogate counts as one, as a rune would).</summary>
    public static int Count(JsonElement text)
    {
        var value = text.GetString()!;
        var count = value.Length;
        for (var i = 0; i < value.Length - 1; i++)
            if (char.IsHighSurrogate(value[i]) && char.IsLowSurrogate(value[i + 1]))
            {
                count--;
                i++;
            }
        return count;
    }

    public static KeywordEvaluation Check(string keyword, bool valid, string error) =>
        valid ? new KeywordEvaluation { Keyword = keyword, IsValid = true } : new KeywordEvaluation { Keyword = keyword, IsValid = false, Error = error };
}
