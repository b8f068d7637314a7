using System.Diagnostics;
using System.Text.Json;
using Integrations.Application.Common.Interfaces;
using Integrations.Domain.EventTypes;
using Integrations.Infrastructure.EventTypes;
using Json.Schema;
using Shouldly;

namespace Integrations.IntegrationTests.Webhooks;

/// <summary>Event schemas on their own (JsonSchema.Net with our dialect, ADR 0011): no database, no host.</summary>
public class EventSchemaTests
{
    private static JsonElement Parse(string json) => JsonSerializer.Deserialize<JsonElement>(json);

    private static IReadOnlyList<SchemaViolation> Validate(string schema, string data) => EventDataSchema.Build(schema).Validate(Parse(data));

    [Fact]
    public void Every_catalog_sample_satisfies_its_own_schema()
    {
        var validator = new CatalogEventSchemaValidator();
        foreach (var type in EventTypeCatalog.All)
            validator.Validate(type.Name, Parse(type.Sample)).ShouldBeEmpty(type.Name);
    }

    [Fact]
    public void Every_catalog_schema_is_valid_against_the_2020_12_meta_schema()
    {
        foreach (var type in EventTypeCatalog.All)
            MetaSchemas.Draft202012.Evaluate(Parse(type.Schema)).IsValid.ShouldBeTrue(type.Name);
    }

    [Fact]
    public void A_schema_with_an_unknown_keyword_or_type_does_not_build()
    {
        // A misspelt keyword would otherwise be an annotation, and the check it meant silently not made.
        Should.Throw<JsonSchemaException>(() => EventDataSchema.Build("""{"properties": {"a": {"type": "string", "minLenght": 2}}}""")).Message.ShouldContain("minLenght");
        Should.Throw<Exception>(() => EventDataSchema.Build("""{"type": "float"}"""));
        // Another draft would be built by the library's own dialect, without our keywords.
        Should.Throw<JsonSchemaException>(() => EventDataSchema.Build("""{"properties": {"a": {"$schema": "http://json-schema.org/draft-07/schema#"}}}""")).Message.ShouldContain("2020-12");
        EventDataSchema.Build("""{"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object"}""").IsValid(Parse("{}")).ShouldBeTrue();
    }

    [Theory]
    [InlineData("1", true)]
    [InlineData("1.0", true)]
    [InlineData("-3", true)]
    [InlineData("1e3", true)]
    [InlineData("1e400", true)]
    [InlineData("1.5", false)]
    [InlineData("\"1\"", false)]
    [InlineData("true", false)]
    [InlineData("null", false)]
    public void Integers_follow_2020_12_any_number_with_no_fraction(string value, bool valid)
    {
        Validate("""{"type": "integer"}""", value).Count.ShouldBe(valid ? 0 : 1);
    }

    [Fact]
    public void Lengths_count_code_points_not_utf16_units_nor_graphemes()
    {
        const string schema = """{"type": "string", "minLength": 2, "maxLength": 2}""";
        Validate(schema, "\"😀😀\"").ShouldBeEmpty();
        Validate(schema, "\"😀\"").ShouldHaveSingleItem().Message.ShouldBe("must be at least 2 characters long.");
        // One grapheme each, two code points each (the library alone counts graphemes).
        Validate(schema, "\"e\\u0301\"").ShouldBeEmpty();
        Validate(schema, "\"🇫🇷\"").ShouldBeEmpty();
        Validate(schema, "\"🇫🇷!\"").ShouldHaveSingleItem().Message.ShouldBe("must be at most 2 characters long.");
    }

    [Fact]
    public void Enum_const_and_boolean_schemas_compare_json_values()
    {
        Validate("""{"enum": [1, "a", {"x": [true]}]}""", """{"x": [true]}""").ShouldBeEmpty();
        Validate("""{"enum": [1, "a"]}""", "1.0").ShouldBeEmpty();
        Validate("""{"enum": [1, "a"]}""", "\"b\"").ShouldHaveSingleItem().Message.ShouldBe("must be one of: 1, a.");
        Validate("""{"const": {"a": 1}}""", """{"a": 2}""").ShouldHaveSingleItem().Message.ShouldBe("""must be {"a": 1}.""");
        Validate("""{"properties": {"a": false}}""", """{"a": 1}""").ShouldHaveSingleItem().ShouldBe(new SchemaViolation("a", "is not allowed here."));
        Validate("""{"additionalProperties": false}""", """{"b": 1}""").ShouldHaveSingleItem().ShouldBe(new SchemaViolation("b", "is not allowed here."));
    }

    [Fact]
    public void Paths_name_nested_properties_and_array_items_verbatim()
    {
        const string schema = """
            {"type": "object", "properties": {"lines": {"type": "array", "items": {"type": "object", "required": ["skuId"], "properties": {"qty": {"type": "integer"}}}},
             "a/b~c": {"type": "integer"}, "0": {"type": "integer"}}}
            """;

        Validate(schema, """{"lines": [{"skuId": "a", "qty": 1}, {"qty": "x"}], "a/b~c": true, "0": "zero"}""").ShouldBe([
            new SchemaViolation("lines[1].skuId", "is required."),
            new SchemaViolation("lines[1].qty", "must be an integer, not a string."),
            new SchemaViolation("a/b~c", "must be an integer, not a boolean."),
            new SchemaViolation("0", "must be an integer, not a string."),
        ], ignoreOrder: true);
    }

    [Fact]
    public void A_wrong_type_is_the_only_finding_about_that_value()
    {
        Validate("""{"properties": {"status": {"type": "string", "enum": ["active"], "minLength": 3}}}""", """{"status": 7}""")
            .ShouldHaveSingleItem().ShouldBe(new SchemaViolation("status", "must be a string, not a number."));
        Validate("""{"properties": {"id": {"type": ["string", "null"]}}}""", """{"id": []}""")
            .ShouldHaveSingleItem().Message.ShouldBe("must be a string or null, not an array.");
    }

    [Fact]
    public void A_pattern_matches_anywhere_unless_anchored_and_format_is_only_an_annotation()
    {
        Validate("""{"pattern": "b"}""", "\"abc\"").ShouldBeEmpty();
        Validate("""{"pattern": "^b"}""", "\"abc\"").ShouldHaveSingleItem().Message.ShouldBe("must match the pattern ^b.");
        // 2020-12's default, and today's behaviour: the catalog's formats document, they do not refuse.
        foreach (var format in new[] { "date-time", "uuid", "uri", "email", "date" })
            Validate($$"""{"type": "string", "format": "{{format}}"}""", "\"next tuesday\"").ShouldBeEmpty(format);
        var catalog = new CatalogEventSchemaValidator();
        catalog.Validate("invoice.paid", Parse("""{"invoice_id": "in_1", "amount_cents": 1, "currency": "EUR", "paid_at": "yesterday"}""")).ShouldBeEmpty();
        catalog.Validate("webhook_endpoint.disabled", Parse("""{"endpoint_id": "not-a-uuid", "url": "not a uri", "reason": "gone", "message": "m", "disabled_at": "soon"}""")).ShouldBeEmpty();
    }

    [Fact]
    public void Patterns_match_in_linear_time_and_ones_that_need_backtracking_do_not_build()
    {
        // Exponential for a backtracking matcher (the library's own, which has no timeout); decided at once here.
        var evil = new string('a', 5_000);
        var started = Stopwatch.StartNew();
        Validate("""{"pattern": "^(a+)+$"}""", $"\"{evil}!\"").ShouldHaveSingleItem().Message.ShouldContain("must match the pattern");
        Validate("""{"pattern": "^(a+)+$"}""", $"\"{evil}\"").ShouldBeEmpty();
        // Property names are the tenant's too: patternProperties and a pattern under propertyNames match them in linear time as well.
        const string byName = """{"patternProperties": {"^(a+)+$": {"type": "integer"}}, "additionalProperties": false}""";
        Validate(byName, $$"""{"{{evil}}!": 1}""").ShouldHaveSingleItem().ShouldBe(new SchemaViolation($"{evil}!", "is not allowed here."));
        Validate(byName, $$"""{"{{evil}}": 1}""").ShouldBeEmpty("patternProperties' annotation reaches additionalProperties");
        Validate(byName, $$"""{"aa": "x"}""").ShouldHaveSingleItem().ShouldBe(new SchemaViolation("aa", "must be an integer, not a string."));
        Validate("""{"patternProperties": {"^x/y$": {"type": "integer"}}}""", """{"x/y": "s"}""").ShouldHaveSingleItem().Path.ShouldBe("x/y");
        Validate("""{"propertyNames": {"pattern": "^(a+)+$"}}""", $$"""{"{{evil}}!": 1}""").ShouldHaveSingleItem().Message
            .ShouldBe("is not an allowed property name: it must match the pattern ^(a+)+$.");
        started.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(5));

        Should.Throw<JsonSchemaException>(() => EventDataSchema.Build("""{"pattern": "^(a)\\1$"}""")).Message.ShouldContain("backtracking");
        Should.Throw<JsonSchemaException>(() => EventDataSchema.Build("""{"pattern": "^(?=a)"}""")).Message.ShouldContain("backtracking");
        Should.Throw<JsonSchemaException>(() => EventDataSchema.Build("""{"patternProperties": {"^(?=a)": true}}""")).Message.ShouldContain("backtracking");
    }

    [Fact]
    public void Keywords_beyond_the_old_subset_report_the_field_that_fails()
    {
        const string refs = """
            {"$defs": {"line": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string", "minLength": 1}}}},
             "properties": {"items": {"type": "array", "items": {"$ref": "#/$defs/line"}}}}
            """;
        Validate(refs, """{"items": [{"name": "a"}, {"name": "b"}, {"name": ""}, {}]}""").ShouldBe([
            new SchemaViolation("items[2].name", "must not be empty."),
            new SchemaViolation("items[3].name", "is required."),
        ], ignoreOrder: true);

        Validate("""{"properties": {"pair": {"prefixItems": [{"type": "string"}, {"type": "integer"}], "items": false}}}""", """{"pair": ["a", "b", 3]}""").ShouldBe([
            new SchemaViolation("pair[1]", "must be an integer, not a string."),
            new SchemaViolation("pair[2]", "is not allowed here."),
        ], ignoreOrder: true);

        Validate("""{"dependentRequired": {"trial_end": ["plan", "trial_start"]}}""", """{"trial_end": "x", "plan": "pro"}""")
            .ShouldHaveSingleItem().ShouldBe(new SchemaViolation("trial_start", "is required when trial_end is present."));

        Validate("""{"allOf": [{"properties": {"a": {}}}], "unevaluatedProperties": false}""", """{"a": 1, "b": 2}""")
            .ShouldHaveSingleItem().ShouldBe(new SchemaViolation("b", "is not allowed here."));

        Validate("""{"properties": {"ids": {"uniqueItems": true}, "n": {"exclusiveMinimum": 0, "multipleOf": 5}}}""", """{"ids": [1, 2, 1.0], "n": 0}""").ShouldBe([
            new SchemaViolation("ids", "must not hold the same item twice: items 0 and 2 are equal."),
            new SchemaViolation("n", "must be greater than 0."),
        ], ignoreOrder: true);

        Validate("""{"properties": {"tags": {"contains": {"const": "primary"}, "maxContains": 1}}}""", """{"tags": ["a", "b"]}""")
            .ShouldHaveSingleItem().ShouldBe(new SchemaViolation("tags", "must have at least 1 item(s) matching the schema in contains; it has 0."));
    }

    [Fact]
    public void Applicators_report_only_failures_that_fail_the_data()
    {
        const string nullable = """{"required": ["x"], "properties": {"v": {"anyOf": [{"type": "string"}, {"type": "null"}]}}}""";
        Validate(nullable, """{"x": 1, "v": 5}""").ShouldHaveSingleItem().ShouldBe(new SchemaViolation("v", "must match at least one of the schemas in anyOf."));
        // The anyOf holds (its string branch failed): only the missing x is a finding.
        Validate(nullable, """{"v": null}""").ShouldHaveSingleItem().ShouldBe(new SchemaViolation("x", "is required."));

        const string exactlyOne = """{"properties": {"id": {"oneOf": [{"type": "string"}, {"minLength": 3}]}}}""";
        Validate(exactlyOne, """{"id": "abcd"}""").ShouldHaveSingleItem().Message.ShouldBe("must match exactly one of the schemas in oneOf; it matches 2.");
        Validate(exactlyOne, """{"id": "ab"}""").ShouldBeEmpty();

        const string conditional = """{"if": {"properties": {"kind": {"const": "card"}}, "required": ["kind"]}, "then": {"required": ["last4"]}, "else": {"required": ["iban"]}}""";
        Validate(conditional, """{"kind": "card"}""").ShouldHaveSingleItem().ShouldBe(new SchemaViolation("last4", "is required."));
        Validate(conditional, """{"kind": "bank"}""").ShouldHaveSingleItem().ShouldBe(new SchemaViolation("iban", "is required."));
        Validate(conditional, """{"kind": "bank", "iban": "x"}""").ShouldBeEmpty();

        Validate("""{"properties": {"status": {"not": {"const": "deleted"}}}}""", """{"status": "deleted"}""")
            .ShouldHaveSingleItem().ShouldBe(new SchemaViolation("status", "must not match the schema in not."));
    }

    [Fact]
    public void Messages_speak_json_not_dotnet()
    {
        var catalog = new CatalogEventSchemaValidator();
        var findings = new[]
        {
            ("invoice.paid", """{"invoice_id": 1, "amount_cents": "42", "currency": "eur", "subscription_id": 3}"""),
            ("subscription.created", """{"subscription_id": "", "plan": null, "quantity": 0.5, "status": "frozen", "trial_end": {}}"""),
            ("entity.updated", """{"entity_id": "e", "changed_fields": [], "changes": {"a": 1}}"""),
        }.SelectMany(c => catalog.Validate(c.Item1, Parse(c.Item2))).ToList();

        findings.Count.ShouldBeGreaterThan(8);
        findings.ShouldAllBe(f => f.Message.EndsWith('.') && !f.Message.Contains("System.") && !f.Message.Contains("Int64")
                                  && !f.Message.Contains("JsonValueKind") && !f.Message.Contains("Value should"));
        findings.ShouldContain(new SchemaViolation("amount_cents", "must be an integer, not a string."));
        findings.ShouldContain(new SchemaViolation("currency", "must match the pattern ^[A-Z]{3}$."));
        findings.ShouldContain(new SchemaViolation("subscription_id", "must be a string or null, not a number."));
        findings.ShouldContain(new SchemaViolation("quantity", "must be an integer, not a number."));
        findings.ShouldContain(new SchemaViolation("status", "must be one of: trialing, active, past_due."));
        findings.ShouldContain(new SchemaViolation("changed_fields", "must have at least 1 item(s)."));
        findings.ShouldContain(new SchemaViolation("changes.a", "must be an object, not a number."));
    }

    [Fact]
    public void Findings_are_capped()
    {
        var data = "{" + string.Join(",", Enumerable.Range(0, 50).Select(i => $"\"x{i}\": 1")) + ", \"changed_fields\": [" + string.Join(",", Enumerable.Range(0, 50)) + "]}";
        new CatalogEventSchemaValidator().Validate("entity.updated", Parse(data)).Count.ShouldBe(CatalogEventSchemaValidator.MaxViolations);
    }
}
