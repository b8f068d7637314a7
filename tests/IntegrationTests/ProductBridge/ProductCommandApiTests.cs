using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Integrations.IntegrationTests.Api;
using Integrations.IntegrationTests.Webhooks.Delivery;
using Shouldly;

namespace Integrations.IntegrationTests.ProductBridge;

/// <summary>The command log and the command API: tenant isolation, the list conventions, and bad input answered in the documented format.</summary>
[Collection(ProductBridgeCollection.Name)]
public class ProductCommandApiTests(ProductBridgeFixture fixture)
{
    private readonly DeliverySystem _system = fixture.System;

    [Fact]
    public async Task A_tenant_sees_only_its_own_commands_and_callback()
    {
        var a = await _system.CreateTenantWithKeyAsync();
        var b = await _system.CreateTenantWithKeyAsync();
        var ofA = await a.Client.SendCommandAsync(ProductBridgeApi.Update("T-1"));
        await b.Client.SendCommandAsync(ProductBridgeApi.Update("T-1"));
        await a.Client.ConfigureCallbackAsync(fixture.Sink);

        await (await b.Client.GetAsync($"{ProductBridgeApi.Commands}/{ofA.Id()}")).ShouldBeErrorAsync(HttpStatusCode.NotFound, "product_command_not_found");
        var listedByB = await (await b.Client.GetAsync(ProductBridgeApi.Commands)).ShouldBeJsonAsync(HttpStatusCode.OK);
        listedByB.GetProperty("data").EnumerateArray().ShouldNotContain(c => c.Id() == ofA.Id());
        listedByB.GetProperty("data").GetArrayLength().ShouldBe(1);
        await (await b.Client.GetAsync(ProductBridgeApi.Callback)).ShouldBeErrorAsync(HttpStatusCode.NotFound, "product_callback_not_found");
        await (await b.Client.GetAsync($"{ProductBridgeApi.Commands}/{ofA.Id()}?tenant_id={a.TenantId}")).ShouldBeErrorAsync(HttpStatusCode.NotFound, "tenant_not_found");
        await (await b.Client.PostAsJsonAsync(ProductBridgeApi.Commands, new { command = "entity.delete", target = new { type = "task", id = "T-1" }, data = new { }, tenant_id = a.TenantId }))
            .ShouldBeErrorAsync(HttpStatusCode.NotFound, "tenant_not_found");
        (await _system.Admin.GetAsync($"{ProductBridgeApi.Commands}/{ofA.Id()}?tenant_id={a.TenantId}")).StatusCode.ShouldBe(HttpStatusCode.OK, "the admin names the tenant");
        (await (await _system.Admin.GetAsync($"{ProductBridgeApi.Callback}?tenant_id={a.TenantId}")).ShouldBeJsonAsync(HttpStatusCode.OK))
            .TryGetProperty("secret", out _).ShouldBeFalse();
    }

    [Fact]
    public async Task The_log_follows_the_list_conventions_with_its_filters()
    {
        var tenant = await _system.CreateTenantWithKeyAsync();
        var ids = new List<Guid>();
        for (var i = 0; i < 3; i++) ids.Add((await tenant.Client.SendCommandAsync(ProductBridgeApi.Update($"T-{i}"))).Id());
        await tenant.Client.SendCommandAsync(new { command = "comment.add", target = new { type = "task", id = "T-1" }, data = new { body = "Fixed in 2.3" } });

        var first = await (await tenant.Client.GetAsync($"{ProductBridgeApi.Commands}?limit=2&command=entity.update")).ShouldBeJsonAsync(HttpStatusCode.OK);
        var next = await (await tenant.Client.GetAsync($"{ProductBridgeApi.Commands}?limit=2&command=entity.update&cursor={first.GetProperty("next_cursor").GetString()}"))
            .ShouldBeJsonAsync(HttpStatusCode.OK);
        first.GetProperty("data").EnumerateArray().Concat(next.GetProperty("data").EnumerateArray()).Select(c => c.Id()).ShouldBe(Enumerable.Reverse(ids), "newest first");
        next.GetProperty("has_more").GetBoolean().ShouldBeFalse();

        var oneRecord = await (await tenant.Client.GetAsync($"{ProductBridgeApi.Commands}?entity_type=task&entity_id=T-1&fields=id,command")).ShouldBeJsonAsync(HttpStatusCode.OK);
        oneRecord.GetProperty("data").EnumerateArray().Select(c => c.GetProperty("command").GetString()).ShouldBe(["comment.add", "entity.update"]);
        oneRecord.GetProperty("data")[0].TryGetProperty("data", out _).ShouldBeFalse("fields keeps only what was asked for");
        var published = await (await tenant.Client.GetAsync($"{ProductBridgeApi.Commands}?status=published")).ShouldBeJsonAsync(HttpStatusCode.OK);
        published.GetProperty("data").GetArrayLength().ShouldBe(4);

        await (await tenant.Client.GetAsync($"{ProductBridgeApi.Commands}?colour=red")).ShouldBeErrorAsync(HttpStatusCode.BadRequest, "invalid_parameter");
        await (await tenant.Client.GetAsync($"{ProductBridgeApi.Commands}?status=sent")).ShouldBeErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
        await (await tenant.Client.GetAsync($"{ProductBridgeApi.Commands}?sort=command")).ShouldBeErrorAsync(HttpStatusCode.BadRequest, "invalid_parameter");
        await (await tenant.Client.GetAsync($"{ProductBridgeApi.Commands}?command=comment.add&cursor={first.GetProperty("next_cursor").GetString()}"))
            .ShouldBeErrorAsync(HttpStatusCode.BadRequest, "invalid_parameter");
        await (await tenant.Client.GetAsync($"{ProductBridgeApi.Commands}/not-a-uuid")).ShouldBeErrorAsync(HttpStatusCode.NotFound, "not_found");
    }

    public static TheoryData<string, string, string> RefusedBodies => new()
    {
        { """{"target": {"type": "task", "id": "T-1"}, "data": {"attributes": {"a": 1}}}""", "command", "required" },
        { """{"command": "Update Task", "target": {"type": "task", "id": "T-1"}, "data": {}}""", "command", "invalid_command" },
        { """{"command": "entity.update", "data": {"attributes": {"a": 1}}}""", "target", "required" },
        { """{"command": "entity.update", "target": {"type": "task"}, "data": {"attributes": {"a": 1}}}""", "target.id", "required" },
        { """{"command": "entity.update", "target": {"type": "task", "id": "T-1"}, "data": {"attributes": {}}}""", "data.attributes", "required" },
        { """{"command": "entity.create", "target": {"type": "task", "id": "T-1"}, "data": {"attributes": {}}}""", "target.id", "not_allowed" },
        { """{"command": "entity.create", "target": {"type": "task"}, "data": {}}""", "data.attributes", "required" },
        { """{"command": "comment.add", "target": {"type": "task", "id": "T-1"}, "data": {"body": "  "}}""", "data.body", "required" },
        { """{"command": "entity.delete", "target": {"type": "", "id": "T-1"}, "data": {}}""", "target.type", "required" },
        { """{"command": "entity.delete", "target": {"type": "task", "id": "T\u00071"}, "data": {}}""", "target.id", "invalid_value" },
        { """{"command": "entity.delete", "target": {"type": "task", "id": "T-1"}}""", "data", "required" },
        { """{"command": "entity.delete", "target": {"type": "task", "id": "T-1"}, "data": [1]}""", "data", "invalid_type" },
        { """{"command": "entity.delete", "target": {"type": "task", "id": "T-1"}, "data": {"note": "a\u0000b"}}""", "data", "invalid_character" },
        { """{"command": "entity.delete", "target": {"type": "task", "id": "T-1"}, "data": {}, "external_reference": ""}""", "external_reference", "invalid_value" },
    };

    [Theory]
    [MemberData(nameof(RefusedBodies))]
    public async Task A_command_that_breaks_the_rules_is_a_422_naming_the_field_and_changes_nothing(string body, string field, string code)
    {
        var tenant = await _system.CreateTenantWithKeyAsync();

        var error = await (await tenant.Client.PostAsync(ProductBridgeApi.Commands, new StringContent(body, Encoding.UTF8, "application/json")))
            .ShouldBeErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");

        error.GetProperty("details").EnumerateArray().ShouldContain(d => d.GetProperty("field").GetString() == field && d.GetProperty("code").GetString() == code,
            error.ToString());
        (await _system.ScalarAsync<long>("select count(*) from product_commands where tenant_id = @t", ("t", tenant.TenantId))).ShouldBe(0);
    }

    [Theory]
    [InlineData("""{"command": "entity.delete", "target": {"type": "task", "id": "T-1"}, "data": {}, "priority": 1}""")]
    [InlineData("""{"command": "entity.delete", "target": {"type": "task", "id": 7}, "data": {}}""")]
    [InlineData("""{"command": "entity.delete", "target": "task/T-1", "data": {}}""")]
    [InlineData("""{"command": "entity.delete", "target": {"type": "task", "id": "T-1", "kind": "x"}, "data": {}}""")]
    [InlineData("not json")]
    public async Task A_body_that_does_not_read_as_a_command_is_a_400(string body)
    {
        var tenant = await _system.CreateTenantWithKeyAsync();

        await (await tenant.Client.PostAsync(ProductBridgeApi.Commands, new StringContent(body, Encoding.UTF8, "application/json")))
            .ShouldBeErrorAsync(HttpStatusCode.BadRequest, "invalid_json");
    }

    [Fact]
    public async Task A_command_of_its_own_name_passes_with_or_without_a_record_and_data_of_any_shape()
    {
        var tenant = await _system.CreateTenantWithKeyAsync();

        var custom = await tenant.Client.SendCommandAsync(new { command = "invoice.mark_exported", target = (object?)null, data = new { batch = "2026-12" } });
        var withRecord = await tenant.Client.SendCommandAsync(new { command = "task.assign", target = new { type = "task", id = "T-3" }, data = new { assignee = "usr_7" } });

        custom.GetProperty("target").ValueKind.ShouldBe(JsonValueKind.Null);
        withRecord.GetProperty("target").GetProperty("id").GetString().ShouldBe("T-3");
        var read = _system.ReadCommands(r => r.Any(m => m.CommandId() == custom.Id()) && r.Any(m => m.CommandId() == withRecord.Id()), TimeSpan.FromSeconds(30));
        read.Single(m => m.CommandId() == custom.Id()).Message.Key.ShouldBe(tenant.TenantId.ToString());
        read.Single(m => m.CommandId() == withRecord.Id()).Message.Key.ShouldBe($"{tenant.TenantId}/task/T-3");
    }

    [Fact]
    public async Task Callback_urls_are_validated_and_unknown_callbacks_are_404()
    {
        var tenant = await _system.CreateTenantWithKeyAsync();

        await (await tenant.Client.PutAsJsonAsync(ProductBridgeApi.Callback, new { url = "" })).ShouldBeErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
        await (await tenant.Client.PutAsJsonAsync(ProductBridgeApi.Callback, new { url = "not a url" })).ShouldBeErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
        await (await tenant.Client.PutAsJsonAsync(ProductBridgeApi.Callback, new { url = "https://x.example.com", secret = "mine" })).ShouldBeErrorAsync(HttpStatusCode.BadRequest, "invalid_json");
        await (await tenant.Client.DeleteAsync(ProductBridgeApi.Callback)).ShouldBeErrorAsync(HttpStatusCode.NotFound, "product_callback_not_found");
        await (await tenant.Client.PostAsync($"{ProductBridgeApi.Callback}/rotate-secret", null)).ShouldBeErrorAsync(HttpStatusCode.NotFound, "product_callback_not_found");
        await (await tenant.Client.PostAsync($"{ProductBridgeApi.Callback}/reveal-secret", null)).ShouldBeErrorAsync(HttpStatusCode.NotFound, "product_callback_not_found");
        await (await _system.Admin.PutAsJsonAsync($"{ProductBridgeApi.Callback}?tenant_id={Guid.NewGuid()}", new { url = "https://x.example.com" }))
            .ShouldBeErrorAsync(HttpStatusCode.NotFound, "tenant_not_found");
        await (await _system.Admin.GetAsync(ProductBridgeApi.Callback)).ShouldBeErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
    }
}
