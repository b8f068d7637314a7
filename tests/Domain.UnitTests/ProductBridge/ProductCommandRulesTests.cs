using System.Text.Json;
using Integrations.Domain.ProductBridge;
using Shouldly;

namespace Integrations.Domain.UnitTests.ProductBridge;

public class ProductCommandRulesTests
{
    private static readonly CommandOrigin Jira = new(Guid.Parse("0193f2b0-11aa-7bbb-8ccc-0123456789ab"), "jira", "PROJ-77");

    private static JsonElement Json(string json) => JsonDocument.Parse(json).RootElement;

    private static IReadOnlyList<(string Field, string Code)> Check(string? command, EntityTarget? target, string data, CommandOrigin? origin = null) =>
        ProductCommandRules.Check(command, target, Json(data), origin ?? Jira).Select(p => (p.Field, p.Code)).ToList();

    [Theory]
    [InlineData("entity.update", "task", "T-1", """{"attributes": {"status": "done"}}""")]
    [InlineData("entity.create", "ticket", null, """{"attributes": {}}""")]
    [InlineData("entity.delete", "task", "T-1", "{}")]
    [InlineData("comment.add", "task", "T-1", """{"body": "Fixed in 2.3", "author": "usr_1"}""")]
    [InlineData("invoice.mark_exported", null, null, """{"batch": 7}""")]
    [InlineData("task.assign", "task", "T-1", "{}")]
    public void The_documented_commands_in_their_shape_and_names_of_your_own_pass(string command, string? type, string? id, string data)
    {
        Check(command, type is null ? null : new EntityTarget(type, id), data).ShouldBeEmpty();
    }

    [Theory]
    [InlineData(null, "command", "required")]
    [InlineData("", "command", "required")]
    [InlineData("update", "command", "invalid_command")]
    [InlineData("Entity.Update", "command", "invalid_command")]
    [InlineData("entity.update!", "command", "invalid_command")]
    [InlineData("entity..update", "command", "invalid_command")]
    public void A_name_must_be_resource_dot_verb(string? command, string field, string code)
    {
        Check(command, new EntityTarget("task", "T-1"), """{"attributes": {"a": 1}}""").ShouldContain((field, code));
    }

    [Fact]
    public void Known_commands_name_their_record_a_create_names_only_its_type()
    {
        Check("entity.update", null, """{"attributes": {"a": 1}}""").ShouldBe([("target", "required")]);
        Check("entity.update", new EntityTarget("task", null), """{"attributes": {"a": 1}}""").ShouldBe([("target.id", "required")]);
        Check("entity.create", new EntityTarget("task", "T-1"), """{"attributes": {}}""").ShouldBe([("target.id", "not_allowed")]);
        Check("entity.create", null, """{"attributes": {}}""").ShouldBe([("target", "required")]);
        Check("entity.delete", new EntityTarget("", "T-1"), "{}").ShouldBe([("target.type", "required")]);
        Check("entity.delete", new EntityTarget("task", new string('x', 256)), "{}").ShouldBe([("target.id", "invalid_value")]);
        Check("entity.delete", new EntityTarget("task\n", "T-1"), "{}").ShouldBe([("target.type", "invalid_value")]);
    }

    [Fact]
    public void Known_commands_carry_the_data_they_need()
    {
        Check("entity.update", new EntityTarget("task", "T-1"), """{"attributes": {}}""").ShouldBe([("data.attributes", "required")]);
        Check("entity.update", new EntityTarget("task", "T-1"), """{"attributes": [1]}""").ShouldBe([("data.attributes", "required")]);
        Check("entity.create", new EntityTarget("task", null), """{"title": "x"}""").ShouldBe([("data.attributes", "required")]);
        Check("comment.add", new EntityTarget("task", "T-1"), """{"body": " "}""").ShouldBe([("data.body", "required")]);
        Check("comment.add", new EntityTarget("task", "T-1"), """{"body": 5}""").ShouldBe([("data.body", "required")]);
    }

    [Fact]
    public void Data_is_an_object_of_bounded_size_without_U0000()
    {
        Check("task.assign", null, "[1]").ShouldBe([("data", "invalid_type")]);
        ProductCommandRules.Check("task.assign", null, default, Jira).Single().ShouldBe(new CommandProblem("data", "required",
            "data must be a JSON object ({} when there is nothing to say)."));
        Check("task.assign", null, $$"""{"text": "{{new string('x', ProductCommandRules.MaxDataBytes)}}"}""").ShouldBe([("data", "too_large")]);
        Check("task.assign", null, """{"text": "a\u0000b"}""").ShouldBe([("data", "invalid_character")]);
    }

    [Fact]
    public void The_origin_names_a_provider_by_its_id()
    {
        Check("task.assign", null, "{}", new CommandOrigin(null, "api", null)).ShouldBeEmpty();
        Check("task.assign", null, "{}", new CommandOrigin(null, "Jira Cloud", null)).ShouldBe([("origin.provider", "invalid_value")]);
        Check("task.assign", null, "{}", new CommandOrigin(null, "jira", "")).ShouldBe([("origin.external_reference", "invalid_value")]);
        ProductCommandRules.Check("task.assign", null, Json("{}"), null).Single().Field.ShouldBe("origin");
    }
}
