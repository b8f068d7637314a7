using System.Text.Json.Nodes;
using Integrations.Domain.Entities;
using Shouldly;

namespace Integrations.Domain.UnitTests.Entities;

public class EntityChangeTests
{
    private static readonly Guid Tenant = Guid.Parse("0193f0a0-0000-7000-8000-0000000000a1");
    private static readonly DateTimeOffset Start = new(2026, 12, 7, 9, 0, 0, TimeSpan.Zero);
    private static int _sequence;

    private static EntityChange Change(string type, string data, int minute = 0) =>
        EntityChange.FromEvent(Tenant, type, data, new StoredEventRef(Guid.NewGuid(), type, Start.AddMinutes(minute), Interlocked.Increment(ref _sequence)))!;

    private static EntityState Apply(params EntityChange[] changes) => changes.Aggregate((EntityState?)null, EntityState.Apply)!;

    [Fact]
    public void Created_sets_the_attributes_updated_applies_changes_to_and_deleted_keeps_the_last_values()
    {
        var state = Apply(
            Change("entity.created", """{"entity_id": "e1", "entity_type": "project", "attributes": {"status": "active", "priority": 2}}"""),
            Change("entity.updated", """{"entity_id": "e1", "entity_type": "project", "changed_fields": ["status"], "changes": {"status": {"from": "active", "to": "archived"}}}""", 1),
            Change("entity.deleted", """{"entity_id": "e1", "entity_type": "project"}""", 2));

        state.Attributes.ToJsonString().ShouldBe("""{"status":"archived","priority":2}""");
        state.Status.ShouldBe(EntityStatuses.Deleted);
        state.CreatedAt.ShouldBe(Start);
        state.DeletedAt.ShouldBe(Start.AddMinutes(2));
        state.UpdatedAt.ShouldBe(Start.AddMinutes(2));
        state.Version.ShouldBe(3);
    }

    [Fact]
    public void A_changed_field_without_its_new_value_is_unknown_until_an_event_gives_it()
    {
        var created = Change("entity.created", """{"entity_id": "e1", "attributes": {"owner": "usr_1"}}""");
        var unknown = Change("entity.updated", """{"entity_id": "e1", "changed_fields": ["owner"], "changes": {}}""", 1);
        var known = Change("entity.updated", """{"entity_id": "e1", "changed_fields": ["owner"], "changes": {"owner": {"to": null}}}""", 2);

        var stale = Apply(created, unknown);
        stale.Attributes.ContainsKey("owner").ShouldBeFalse("the old value is not passed off as current");
        stale.UnknownFields.ShouldBe(["owner"]);
        var cleared = Apply(created, unknown, known);
        cleared.UnknownFields.ShouldBeEmpty();
        cleared.Attributes.ToJsonString().ShouldBe("""{"owner":null}""", "to: null clears the field, it does not forget it");
    }

    [Fact]
    public void An_update_or_deletion_of_a_record_never_seen_created_starts_it_and_a_later_create_replaces_all()
    {
        var state = Apply(Change("entity.updated", """{"entity_id": "e9", "entity_type": "task", "changed_fields": ["a"], "changes": {"a": {"to": 1}}}"""));
        state.Status.ShouldBe(EntityStatuses.Active);
        state.CreatedAt.ShouldBeNull();
        state.Key.ShouldBe(new EntityKey(Tenant, "task", "e9"));

        var deletedFirst = Apply(Change("entity.deleted", """{"entity_id": "e8"}"""), Change("entity.created", """{"entity_id": "e8", "attributes": {"b": 2}}""", 1));
        deletedFirst.Status.ShouldBe(EntityStatuses.Active);
        deletedFirst.DeletedAt.ShouldBeNull();
        deletedFirst.Attributes.ToJsonString().ShouldBe("""{"b":2}""");
        deletedFirst.Key.Type.ShouldBe(EntityEvents.Untyped);
    }

    [Theory]
    [InlineData("invoice.paid", """{"entity_id": "e1"}""")]
    [InlineData("entity.created", """[1, 2]""")]
    [InlineData("entity.created", """{"entity_type": "task"}""")]
    [InlineData("entity.created", """{"entity_id": 7}""")]
    [InlineData("entity.created", """{"entity_id": ""}""")]
    [InlineData("entity.created", """{"entity_id": "e1", "entity_type": 5}""")]
    [InlineData("entity.created", """{"entity_id": "e1", "entity_id": "e2"}""")]
    [InlineData("entity.created", """{"entity_id": "e1", "attributes": {"a": "x\u0000y"}}""")]
    [InlineData("entity.created", """not json""")]
    public void Events_the_read_model_cannot_key_are_skipped_never_a_failure(string type, string data)
    {
        EntityChange.FromEvent(Tenant, type, data, new StoredEventRef(Guid.NewGuid(), type, Start, 1)).ShouldBeNull();
        EntityChange.FromEvent(Tenant, "entity.created", $$"""{"entity_id": "{{new string('x', EntityEvents.MaxIdLength + 1)}}"}""",
            new StoredEventRef(Guid.NewGuid(), type, Start, 1)).ShouldBeNull();
    }

    [Fact]
    public void Changes_composed_per_record_give_what_applying_them_one_by_one_gives()
    {
        var random = new Random(7);
        for (var run = 0; run < 200; run++)
        {
            var initial = random.Next(2) == 0 ? null : Apply(Change("entity.created", """{"entity_id": "e1", "attributes": {"a": 1, "b": 2, "c": 3}}"""));
            var events = Enumerable.Range(0, random.Next(1, 8)).Select(_ => RandomEvent(random)).ToList();

            var oneByOne = events.Select((e, i) => Change(e.Type, e.Data, i + 1)).Aggregate(initial, EntityState.Apply)!;
            var composed = events.Select((e, i) => Change(e.Type, e.Data, i + 1)).Aggregate((earlier, later) =>
            {
                earlier.Then(later);
                return earlier;
            });
            var atOnce = EntityState.Apply(initial, composed);

            JsonNode.DeepEquals(atOnce.Attributes, oneByOne.Attributes).ShouldBeTrue($"run {run}: {atOnce.Attributes.ToJsonString()} vs {oneByOne.Attributes.ToJsonString()}");
            atOnce.UnknownFields.ShouldBe(oneByOne.UnknownFields, $"run {run}");
            (atOnce.Status, atOnce.CreatedAt, atOnce.DeletedAt, atOnce.UpdatedAt, atOnce.Version)
                .ShouldBe((oneByOne.Status, oneByOne.CreatedAt, oneByOne.DeletedAt, oneByOne.UpdatedAt, oneByOne.Version), $"run {run}");
        }
    }

    private static (string Type, string Data) RandomEvent(Random random)
    {
        string[] fields = ["a", "b", "c", "d"];
        switch (random.Next(6))
        {
            case 0:
                var attributes = fields.Where(_ => random.Next(2) == 0).Select(f => $"\"{f}\": {random.Next(9)}");
                return ("entity.created", "{\"entity_id\": \"e1\", \"attributes\": {" + string.Join(", ", attributes) + "}}");
            case 1:
                return ("entity.deleted", """{"entity_id": "e1"}""");
            default:
                var changed = fields.Where(_ => random.Next(3) == 0).ToList();
                var given = changed.Where(_ => random.Next(3) != 0).Select(f => $"\"{f}\": {{\"to\": {random.Next(9)}}}");
                return ("entity.updated", "{\"entity_id\": \"e1\", \"changed_fields\": [" + string.Join(", ", changed.Select(f => $"\"{f}\"")) +
                                          "], \"changes\": {" + string.Join(", ", given) + "}}");
        }
    }
}
