using System.Text.Json;
using Integrations.Domain.EventTypes;
using Integrations.Infrastructure.EventTypes;
using Shouldly;

namespace Integrations.IntegrationTests.Webhooks;

/// <summary>The JSON Schema subset validator on its own: no database, no host.</summary>
public class SchemaValidatorTests
{
    private static JsonElement Parse(string json) => JsonSerializer.Deserialize<JsonElement>(json);

    [Fact]
    public void Every_catalog_sample_satisfies_its_own_schema()
    {
        var validator = new CatalogEventSchemaValidator();
        foreach (var type in EventTypeCatalog.All)
            validator.Validate(type.Name, Parse(type.Sample)).ShouldBeEmpty(type.Name);
    }

    [Fact]
    public void A_schema_using_a_keyword_outside_the_subset_does_not_compile()
    {
        Should.Throw<NotSupportedException>(() => JsonSchemaSubset.Compile("""{"type": "object", "oneOf": [{}]}""")).Message.ShouldContain("oneOf");
        Should.Throw<NotSupportedException>(() => JsonSchemaSubset.Compile("""{"properties": {"a": {"$ref": "#/x"}}}"""));
        Should.Throw<NotSupportedException>(() => JsonSchemaSubset.Compile("""{"type": "float"}"""));
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
        JsonSchemaSubset.Compile("""{"type": "integer"}""").Validate(Parse(value)).Count.ShouldBe(valid ? 0 : 1);
    }

    [Fact]
    public void Lengths_count_code_points_not_utf16_units()
    {
        var schema = JsonSchemaSubset.Compile("""{"type": "string", "minLength": 2, "maxLength": 2}""");
        schema.Validate(Parse("\"😀😀\"")).ShouldBeEmpty();
        schema.Validate(Parse("\"😀\"")).ShouldHaveSingleItem();
    }

    [Fact]
    public void Enum_const_and_boolean_schemas_compare_json_values()
    {
        JsonSchemaSubset.Compile("""{"enum": [1, "a", {"x": [true]}]}""").Validate(Parse("""{"x": [true]}""")).ShouldBeEmpty();
        JsonSchemaSubset.Compile("""{"enum": [1, "a"]}""").Validate(Parse("1.0")).ShouldBeEmpty();
        JsonSchemaSubset.Compile("""{"enum": [1, "a"]}""").Validate(Parse("\"b\"")).ShouldHaveSingleItem();
        JsonSchemaSubset.Compile("""{"const": {"a": 1}}""").Validate(Parse("""{"a": 2}""")).ShouldHaveSingleItem();
        JsonSchemaSubset.Compile("""{"properties": {"a": false}}""").Validate(Parse("""{"a": 1}""")).ShouldHaveSingleItem().Path.ShouldBe("a");
        JsonSchemaSubset.Compile("""{"additionalProperties": false}""").Validate(Parse("""{"b": 1}""")).ShouldHaveSingleItem().Path.ShouldBe("b");
    }

    [Fact]
    public void Paths_name_nested_properties_and_array_items_verbatim()
    {
        var schema = JsonSchemaSubset.Compile("""
            {"type": "object", "properties": {"lines": {"type": "array", "items": {"type": "object", "required": ["skuId"], "properties": {"qty": {"type": "integer"}}}}}}
            """);

        schema.Validate(Parse("""{"lines": [{"skuId": "a", "qty": 1}, {"qty": "x"}]}""")).Select(v => v.Path)
            .ShouldBe(["lines[1].skuId", "lines[1].qty"], ignoreOrder: true);
    }

    [Fact]
    public void A_pattern_matches_anywhere_unless_anchored_and_format_is_only_an_annotation()
    {
        JsonSchemaSubset.Compile("""{"pattern": "b"}""").Validate(Parse("\"abc\"")).ShouldBeEmpty();
        JsonSchemaSubset.Compile("""{"pattern": "^b"}""").Validate(Parse("\"abc\"")).ShouldHaveSingleItem();
        JsonSchemaSubset.Compile("""{"type": "string", "format": "date-time"}""").Validate(Parse("\"next tuesday\"")).ShouldBeEmpty();
    }

    [Fact]
    public void Patterns_match_in_linear_time_and_ones_that_need_backtracking_do_not_compile()
    {
        // Exponential for a backtracking matcher; decided at once, and correctly, without a timeout that a busy machine could trip.
        var nested = JsonSchemaSubset.Compile("""{"pattern": "^(a+)+$"}""");
        nested.Validate(Parse($"\"{new string('a', 5_000)}!\"")).ShouldHaveSingleItem().Message.ShouldContain("must match the pattern");
        nested.Validate(Parse($"\"{new string('a', 5_000)}\"")).ShouldBeEmpty();
        Should.Throw<NotSupportedException>(() => JsonSchemaSubset.Compile("""{"pattern": "^(a)\\1$"}""")).Message.ShouldContain("backtracking");
        Should.Throw<NotSupportedException>(() => JsonSchemaSubset.Compile("""{"pattern": "^(?=a)"}""")).Message.ShouldContain("backtracking");
    }

    [Fact]
    public void Findings_are_capped()
    {
        var data = "{" + string.Join(",", Enumerable.Range(0, 50).Select(i => $"\"x{i}\": 1")) + ", \"changed_fields\": [" + string.Join(",", Enumerable.Range(0, 50)) + "]}";
        new CatalogEventSchemaValidator().Validate("entity.updated", Parse(data)).Count.ShouldBe(CatalogEventSchemaValidator.MaxViolations);
    }
}
