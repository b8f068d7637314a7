using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Confluent.Kafka;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.ProductBridge;
using Integrations.Domain.ProductBridge;
using Integrations.Infrastructure;
using Integrations.IntegrationTests.Api;
using Integrations.IntegrationTests.Infrastructure;
using Json.Schema;
using Microsoft.Extensions.DependencyInjection;
using Integrations.IntegrationTests.Webhooks.Delivery;
using Shouldly;

namespace Integrations.IntegrationTests.ProductBridge;

/// <summary>Commands sent through the use case connectors call (and through the API) reach the topic as docs/kafka-topics.md promises.</summary>
[Collection(ProductBridgeCollection.Name)]
public class ProductCommandPublishingTests(ProductBridgeFixture fixture)
{
    private static readonly JsonSchema Schema = JsonSchema.FromText(
        File.ReadAllText(Path.Combine(TestEnvironment.RepositoryRoot(), "docs", "schemas", "integrations.product-commands.v1.command.schema.json")),
        new BuildOptions { SchemaRegistry = new SchemaRegistry() });

    private readonly DeliverySystem _system = fixture.System;

    [Fact]
    public async Task A_command_sent_by_the_use_case_is_on_the_topic_keyed_by_tenant_and_record_with_its_headers_and_a_body_the_schema_accepts()
    {
        var tenant = await _system.CreateTenantWithKeyAsync();
        var connectionId = Guid.CreateVersion7();
        var data = JsonDocument.Parse("""{"attributes": {"status": "done", "points": 3}, "note": "from Jira"}""").RootElement;

        var issued = await SendAsync("req-" + Guid.NewGuid().ToString("N")[..8], new NewProductCommand(tenant.TenantId, "entity.update",
            new EntityTarget("task", "T-1042"), data, new CommandOrigin(connectionId, "jira", "PROJ-77"), CausationId: "jira-webhook-9"));

        var message = _system.ReadCommands(read => read.Any(m => m.CommandId() == issued.Id), TimeSpan.FromSeconds(30)).Single(m => m.CommandId() == issued.Id);
        message.Message.Key.ShouldBe($"{tenant.TenantId}/task/T-1042", "one record's commands share a key, hence a partition");
        message.Header("command").ShouldBe("entity.update");
        message.Header("tenant-id").ShouldBe(tenant.TenantId.ToString());
        message.Header("entity-type").ShouldBe("task");
        message.Header("entity-id").ShouldBe("T-1042");
        message.Header("schema-version").ShouldBe("1");
        message.Header("content-type").ShouldBe("application/json");
        message.Header("correlation-id").ShouldBe(issued.Issued!.CorrelationId);
        message.Header("causation-id").ShouldBe("jira-webhook-9");

        var body = JsonDocument.Parse(message.Message.Value).RootElement;
        ShouldConformToTheSchema(body);
        body.GetProperty("id").GetGuid().ShouldBe(issued.Id);
        body.GetProperty("command").GetString().ShouldBe("entity.update");
        body.GetProperty("tenant_id").GetGuid().ShouldBe(tenant.TenantId);
        body.GetProperty("target").GetProperty("type").GetString().ShouldBe("task");
        body.GetProperty("target").GetProperty("id").GetString().ShouldBe("T-1042");
        body.GetProperty("data").GetRawText().ShouldBe(data.GetRawText(), "data goes out as the connector gave it");
        body.GetProperty("origin").GetProperty("connection_id").GetGuid().ShouldBe(connectionId);
        body.GetProperty("origin").GetProperty("provider").GetString().ShouldBe("jira");
        body.GetProperty("origin").GetProperty("external_reference").GetString().ShouldBe("PROJ-77");
        body.GetProperty("correlation_id").GetString().ShouldBe(issued.Issued.CorrelationId);
        body.GetProperty("issued_at").GetDateTimeOffset().ShouldBe(issued.Issued.IssuedAt);

        var logged = await tenant.Client.GetCommandAsync(issued.Id);
        logged.Status().ShouldBe("published");
        logged.GetProperty("callback").ValueKind.ShouldBe(JsonValueKind.Null);
        logged.GetProperty("origin").GetProperty("provider").GetString().ShouldBe("jira");
    }

    [Fact]
    public async Task A_create_names_no_record_id_and_is_keyed_by_its_tenant()
    {
        var tenant = await _system.CreateTenantWithKeyAsync();

        var sent = await tenant.Client.SendCommandAsync(new { command = "entity.create", target = new { type = "ticket" },
            data = new { attributes = new { title = "Printer on fire" } }, external_reference = "<m1@mail.example.com>" });

        var message = _system.ReadCommands(read => read.Any(m => m.CommandId() == sent.Id()), TimeSpan.FromSeconds(30)).Single(m => m.CommandId() == sent.Id());
        message.Message.Key.ShouldBe(tenant.TenantId.ToString());
        message.Header("entity-type").ShouldBe("ticket");
        message.Header("entity-id").ShouldBeNull();
        var body = JsonDocument.Parse(message.Message.Value).RootElement;
        ShouldConformToTheSchema(body);
        body.GetProperty("target").GetProperty("id").ValueKind.ShouldBe(JsonValueKind.Null);
        body.GetProperty("origin").GetProperty("provider").GetString().ShouldBe("api", "a command sent through the API never passes for a connection's");
        body.GetProperty("origin").GetProperty("connection_id").ValueKind.ShouldBe(JsonValueKind.Null);
        body.GetProperty("origin").GetProperty("external_reference").GetString().ShouldBe("<m1@mail.example.com>");
    }

    [Fact]
    public async Task A_command_exists_exactly_when_the_callers_transaction_commits()
    {
        var tenant = await _system.CreateTenantWithKeyAsync();
        var rolledBack = Guid.CreateVersion7();

        await Should.ThrowAsync<InvalidOperationException>(() => InUnitOfWorkAsync<int>(async (sender, ct) =>
        {
            await sender.SendAsync(Update(tenant.TenantId, "T-1", rolledBack), ct);
            throw new InvalidOperationException("the connector's own write failed after it sent the command");
        }));
        var committed = await SendAsync("req-after", Update(tenant.TenantId, "T-1"));

        // Same record, same partition, published in commit order: had the first been published, it would come first.
        var read = _system.ReadCommands(r => r.Any(m => m.CommandId() == committed.Id), TimeSpan.FromSeconds(30));
        read.ShouldNotContain(m => m.CommandId() == rolledBack);
        (await tenant.Client.GetAsync($"{ProductBridgeApi.Commands}/{rolledBack}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await _system.ScalarAsync<long>("select count(*) from outbox where message_id = @id", ("id", rolledBack))).ShouldBe(0);
    }

    [Fact]
    public async Task The_same_command_id_is_issued_and_published_once()
    {
        var tenant = await _system.CreateTenantWithKeyAsync();
        var id = Guid.CreateVersion7();

        var first = await SendAsync("req-1", Update(tenant.TenantId, "T-7", id));
        var again = await SendAsync("req-2", Update(tenant.TenantId, "T-7", id));
        var marker = await SendAsync("req-3", Update(tenant.TenantId, "T-7"));

        first.AlreadyIssued.ShouldBeFalse();
        again.AlreadyIssued.ShouldBeTrue("a connector that handles the same inbound message twice issues its command once");
        var read = _system.ReadCommands(r => r.Any(m => m.CommandId() == marker.Id), TimeSpan.FromSeconds(30));
        read.Count(m => m.CommandId() == id).ShouldBe(1);
        (await tenant.Client.GetCommandAsync(id)).GetProperty("correlation_id").GetString().ShouldBe(first.Issued!.CorrelationId);
    }

    [Fact]
    public async Task A_connector_that_breaks_the_rules_is_refused_and_nothing_is_published()
    {
        var tenant = await _system.CreateTenantWithKeyAsync();
        var id = Guid.CreateVersion7();

        var refused = await Should.ThrowAsync<Application.Common.Exceptions.ValidationException>(() => SendAsync("req-bad",
            new NewProductCommand(tenant.TenantId, "entity.update", new EntityTarget("task", null), JsonDocument.Parse("{}").RootElement,
                new CommandOrigin(null, "Jira!", null), id)));

        refused.Errors.Select(e => (e.Field, e.Code)).ShouldBe(
            [("target.id", "required"), ("data.attributes", "required"), ("origin.provider", "invalid_value")], ignoreOrder: true);
        (await _system.ScalarAsync<long>("select count(*) from product_commands where id = @id", ("id", id))).ShouldBe(0);
    }

    [Fact]
    public async Task Commands_sent_through_the_api_honour_the_idempotency_key()
    {
        var tenant = await _system.CreateTenantWithKeyAsync();
        var body = ProductBridgeApi.Update("T-9");

        var first = await Post(tenant.Client, body, "key-1");
        var replay = await Post(tenant.Client, body, "key-1");

        replay.Headers.GetValues("Idempotent-Replayed").ShouldBe(["true"]);
        var created = await first.ShouldBeJsonAsync(HttpStatusCode.Created);
        (await replay.ShouldBeJsonAsync(HttpStatusCode.Created)).Id().ShouldBe(created.Id());
        (await _system.ScalarAsync<long>("select count(*) from product_commands where tenant_id = @t", ("t", tenant.TenantId))).ShouldBe(1);
        await (await Post(tenant.Client, ProductBridgeApi.Update("T-10"), "key-1")).ShouldBeErrorAsync(HttpStatusCode.Conflict, "idempotency_key_reused");

        static async Task<HttpResponseMessage> Post(HttpClient client, object body, string key)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, ProductBridgeApi.Commands) { Content = JsonContent.Create(body) };
            request.Headers.Add("Idempotency-Key", key);
            return await client.SendAsync(request);
        }
    }

    private static NewProductCommand Update(Guid tenantId, string entityId, Guid? id = null) =>
        new(tenantId, "entity.update", new EntityTarget("task", entityId), JsonDocument.Parse("""{"attributes": {"status": "done"}}""").RootElement,
            new CommandOrigin(null, "jira", null), id);

    /// <summary>What a connector does: the use case inside its own unit of work, under its own correlation id.</summary>
    private Task<IssuedProductCommand> SendAsync(string correlationId, NewProductCommand command) =>
        InUnitOfWorkAsync((sender, ct) => sender.SendAsync(command, ct), correlationId);

    private async Task<T> InUnitOfWorkAsync<T>(Func<ProductCommandSender, CancellationToken, Task<T>> work, string correlationId = "test")
    {
        await using var scope = _system.Api.Services.CreateAsyncScope();
        var context = scope.ServiceProvider.GetRequiredService<RequestContext>();
        context.CorrelationId = correlationId;
        context.Actor = "test:connector";
        var sender = scope.ServiceProvider.GetRequiredService<ProductCommandSender>();
        return await scope.ServiceProvider.GetRequiredService<IUnitOfWork>().ExecuteAsync(ct => work(sender, ct), CancellationToken.None);
    }

    private static void ShouldConformToTheSchema(JsonElement body)
    {
        var result = Schema.Evaluate(body, new EvaluationOptions { OutputFormat = OutputFormat.List });
        result.IsValid.ShouldBeTrue(JsonSerializer.Serialize(result));
    }
}
