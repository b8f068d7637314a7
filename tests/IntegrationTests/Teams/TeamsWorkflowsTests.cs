using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Integrations.IntegrationTests.Api;
using Integrations.IntegrationTests.Connectors;
using DeliveryApi = Integrations.IntegrationTests.Webhooks.Delivery.DeliveryApi;
using Shouldly;

namespace Integrations.IntegrationTests.Teams;

/// <summary>
/// The teams-workflows provider through real processes: the Workflows URL a tenant pastes is the
/// connection's secret (checked against Microsoft's hosts, never shown again, never in the attempt
/// log), events become Adaptive Card 1.5 messages at the fake's trigger, its 429 Retry-After is
/// honoured, and a card it refuses (400) is dead-lettered at once.
/// </summary>
[Collection(TeamsCollection.Name)]
public sealed class TeamsWorkflowsTests(TeamsSystem system) : IAsyncLifetime
{
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(30);

    public Task InitializeAsync() => system.ResetTeamsAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Connecting_keeps_the_workflow_url_secret_and_names_the_workflow_as_the_account()
    {
        var tenant = await system.TenantAsync();

        var response = await system.CreateConnectionAsync(tenant.Client, new { provider = "teams-workflows", display_name = "Ops", credentials = new { api_key = system.WorkflowUrl } });

        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.Created, text);
        text.ShouldNotContain(TeamsSystem.WorkflowSig);
        var id = JsonDocument.Parse(text).RootElement.GetProperty("connection").GetProperty("id").GetGuid();
        var connection = await Connections.ConnectionsSystem.GetAsync(tenant.Client, id);
        connection.GetProperty("status").GetString().ShouldBe("connected");
        connection.GetProperty("account").GetProperty("id").GetString().ShouldBe(TeamsSystem.Workflow, "the workflow's id from the URL's path");
        connection.GetRawText().ShouldNotContain(TeamsSystem.WorkflowSig);
        (await tenant.Client.GetStringAsync($"/api/v1/connections/{id}/audit-log")).ShouldNotContain(TeamsSystem.WorkflowSig);
        (await system.CardsAtAsync(TeamsSystem.Workflow)).ShouldBeEmpty("connecting posts nothing to the channel");
    }

    [Theory]
    [InlineData("https://hooks.example.com/workflows/wf1/triggers/manual/paths/invoke?sv=1.0&sig=s3cr3t", "host_not_allowed")]
    [InlineData("https://logic.azure.com.example.net/workflows/wf1/triggers/manual/paths/invoke?sig=s3cr3t", "host_not_allowed")]
    [InlineData("http://prod-01.westus.logic.azure.com/workflows/wf1/triggers/manual/paths/invoke?sig=s3cr3t", "invalid_url")]
    [InlineData("https://prod-01.westus.logic.azure.com:8443/workflows/wf1/triggers/manual/paths/invoke?sig=s3cr3t", "invalid_url")]
    [InlineData("https://user:pw@prod-01.westus.logic.azure.com/workflows/wf1?sig=s3cr3t", "invalid_url")]
    public async Task A_url_off_microsofts_workflow_hosts_is_refused_without_echoing_it(string url, string code)
    {
        var tenant = await system.TenantAsync();

        var response = await system.CreateConnectionAsync(tenant.Client, new { provider = "teams-workflows", credentials = new { api_key = url } });

        var error = await response.ShouldBeErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
        error.GetProperty("details").EnumerateArray().ShouldContain(d => d.GetProperty("field").GetString() == "credentials.api_key" && d.GetProperty("code").GetString() == code);
        error.GetRawText().ShouldNotContain("s3cr3t");
        (await (await tenant.Client.GetAsync("/api/v1/connections")).ShouldBeJsonAsync(HttpStatusCode.OK)).GetProperty("data").GetArrayLength().ShouldBe(0);
    }

    [Fact]
    public async Task An_event_arrives_as_an_adaptive_card_1_5_with_its_facts_and_an_open_in_app_action()
    {
        var tenant = await system.TenantAsync();
        var id = await system.ConnectWorkflowAsync(tenant.Client);
        await TeamsSystem.RouteAsync(tenant.Client, id, "teams.workflow_card", new { open_url = "https://app.example.com/invoices/{{ data.invoice_id }}" });

        await DeliveryApi.PublishAsync(tenant.Client, data: new { invoice_id = "in 7/1", amount_cents = 4200, currency = "EUR", customer = new { id = "cus_1" } });

        var calls = await ConnectorsSystem.WaitForCallsAsync(tenant.Client, id, c => c.Count == 1 && c[0].Status() == "succeeded", Soon, "the card was posted");
        var message = (await system.CardsAtAsync(TeamsSystem.Workflow)).ShouldHaveSingleItem().GetProperty("body");
        message.GetProperty("type").GetString().ShouldBe("message");
        var attachment = message.GetProperty("attachments").EnumerateArray().ShouldHaveSingleItem();
        attachment.GetProperty("contentType").GetString().ShouldBe("application/vnd.microsoft.card.adaptive");
        attachment.GetProperty("contentUrl").ValueKind.ShouldBe(JsonValueKind.Null);
        var card = attachment.GetProperty("content");
        card.GetProperty("type").GetString().ShouldBe("AdaptiveCard");
        card.GetProperty("version").GetString().ShouldBe("1.5");
        var body = card.GetProperty("body").EnumerateArray().ToList();
        body[0].GetProperty("text").GetString().ShouldBe("Invoice paid");
        body[1].GetProperty("type").GetString().ShouldBe("FactSet");
        body[1].GetProperty("facts").EnumerateArray().Select(f => $"{f.GetProperty("title").GetString()}={f.GetProperty("value").GetString()}")
            .ShouldBe(["Invoice id=in 7/1", "Amount cents=4200", "Currency=EUR"], "top-level values only, in the data's order");
        var action = card.GetProperty("actions").EnumerateArray().ShouldHaveSingleItem();
        action.GetProperty("type").GetString().ShouldBe("Action.OpenUrl");
        action.GetProperty("title").GetString().ShouldBe("Open in app");
        action.GetProperty("url").GetString().ShouldBe("https://app.example.com/invoices/in%207%2F1");
        var attempt = (await ConnectorsSystem.CallAsync(tenant.Client, id, calls[0].Id())).Attempts().ShouldHaveSingleItem();
        attempt.GetProperty("status_code").GetInt32().ShouldBe(202);
        attempt.GetRawText().ShouldNotContain(TeamsSystem.WorkflowSig, customMessage: "the attempt log keeps the URL without its query");
    }

    [Fact]
    public async Task A_429_with_retry_after_holds_the_next_attempt_until_then()
    {
        var tenant = await system.TenantAsync();
        var id = await system.ConnectWorkflowAsync(tenant.Client);
        await TeamsSystem.RouteAsync(tenant.Client, id, "teams.workflow_card", new { });
        await system.FaultAsync(new { path_prefix = "/workflows", count = 1, status = 429, headers = new Dictionary<string, string> { ["Retry-After"] = "2" },
            body = """{"error":{"code":"WorkflowTriggeredTooManyTimes","message":"Rate limit is exceeded."}}""" });

        await DeliveryApi.PublishAsync(tenant.Client, data: ConnectorsSystem.Invoice("in_429", 1));

        var calls = await ConnectorsSystem.WaitForCallsAsync(tenant.Client, id, c => c.Count == 1 && c[0].Status() == "succeeded", Soon, "the card was posted after the wait");
        var attempts = (await ConnectorsSystem.CallAsync(tenant.Client, id, calls[0].Id())).Sent();
        attempts.Select(a => a.GetProperty("status_code").GetInt32()).ShouldBe([429, 202]);
        attempts[0].GetProperty("error_kind").GetString().ShouldBe("rate_limited");
        (attempts[1].GetProperty("started_at").GetDateTimeOffset() - attempts[0].GetProperty("started_at").GetDateTimeOffset())
            .ShouldBeGreaterThanOrEqualTo(TimeSpan.FromSeconds(1.9), "Retry-After: 2");
        (await system.CardsAtAsync(TeamsSystem.Workflow)).ShouldHaveSingleItem();
    }

    [Fact]
    public async Task A_card_the_workflow_refuses_is_dead_lettered_at_once()
    {
        var tenant = await system.TenantAsync();
        var id = await system.ConnectWorkflowAsync(tenant.Client);
        // A route template whose version is a number: Teams' trigger schema wants a string.
        await TeamsSystem.RouteAsync(tenant.Client, id, "teams.workflow_card", new
        {
            cards = new Dictionary<string, object> { ["invoice.paid"] = new { type = "AdaptiveCard", version = 1.5, body = new object[] { new { type = "TextBlock", text = "{{ data.invoice_id }}" } } } },
        });

        await DeliveryApi.PublishAsync(tenant.Client, data: ConnectorsSystem.Invoice("in_bad", 1));

        var calls = await ConnectorsSystem.WaitForCallsAsync(tenant.Client, id, c => c.Count == 1 && c[0].Status() != "pending", Soon, "the call ended");
        calls[0].Status().ShouldBe("failed");
        var attempt = (await ConnectorsSystem.CallAsync(tenant.Client, id, calls[0].Id())).Attempts().ShouldHaveSingleItem("a 400 is not retried");
        attempt.GetProperty("status_code").GetInt32().ShouldBe(400);
        attempt.GetProperty("response_body_excerpt").GetString()!.ShouldContain("TriggerInputSchemaMismatch");
        (await system.CardsAtAsync(TeamsSystem.Workflow)).ShouldBeEmpty();
    }
}
