using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Integrations.IntegrationTests.Api;
using Integrations.IntegrationTests.Connectors;
using Integrations.IntegrationTests.Infrastructure;
using DeliveryApi = Integrations.IntegrationTests.Webhooks.Delivery.DeliveryApi;
using Shouldly;

namespace Integrations.IntegrationTests.Jira;

/// <summary>
/// The way back from Jira through real processes: the fake delivers <c>jira:issue_updated</c>, signed as
/// Atlassian signs deliveries to OAuth apps (a bearer HS256 JWT under the client secret), to the
/// connection's webhook URL; a mapped status change of a linked issue becomes an <c>entity.update</c>
/// product command once however often it arrives; attacks on the JWT are refused; and the product's
/// answer to that command is not routed back to Jira.
/// </summary>
[Collection(JiraCollection.Name)]
public sealed class JiraInboundTests(JiraSystem system) : IAsyncLifetime
{
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(30);

    public Task InitializeAsync() => system.ResetJiraAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_status_change_in_jira_of_a_linked_issue_becomes_one_entity_update_command_with_the_mapped_status()
    {
        var (tenant, connection, issue) = await LinkedIssueAsync("in_back");
        await RegisterAsync(tenant, connection);

        var change = await (await system.JiraControl.PostAsJsonAsync($"/_fake/jira/issues/{issue}/change", new { site = JiraSystem.Acme, transition_id = "31" }))
            .ShouldBeJsonAsync(HttpStatusCode.OK);
        change.GetProperty("delivered").GetInt32().ShouldBe(1, "our URL accepted the signed delivery");

        var command = (await JiraSystem.CommandsAsync(tenant)).ShouldHaveSingleItem();
        command.GetProperty("command").GetString().ShouldBe("entity.update");
        command.GetProperty("target").GetProperty("type").GetString().ShouldBe("invoice");
        command.GetProperty("target").GetProperty("id").GetString().ShouldBe("in_back");
        command.GetProperty("data").GetProperty("attributes").GetProperty("status").GetString().ShouldBe("paid_and_closed");
        command.GetProperty("data").GetProperty("jira").GetProperty("to_status").GetString().ShouldBe("Done");
        command.GetProperty("origin").GetProperty("provider").GetString().ShouldBe("jira");
        command.GetProperty("origin").GetProperty("connection_id").GetGuid().ShouldBe(connection);

        // Jira retries a delivery it thinks failed: the same body and changelog id again issue nothing new.
        var sent = await system.SentAsync();
        var again = await PostAsync(tenant, connection, sent[^1].GetRawText(), Token(JiraSystem.JiraClientSecret));
        again.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("command_id").ValueKind.ShouldBe(JsonValueKind.Null);
        (await JiraSystem.CommandsAsync(tenant)).Count.ShouldBe(1);
    }

    [Fact]
    public async Task A_status_the_route_does_not_map_or_an_issue_not_linked_makes_no_command()
    {
        var (tenant, connection, issue) = await LinkedIssueAsync("in_unmapped");
        await RegisterAsync(tenant, connection);

        (await system.JiraControl.PostAsJsonAsync($"/_fake/jira/issues/{issue}/change", new { site = JiraSystem.Acme, transition_id = "21" })).EnsureSuccessStatusCode();
        (await system.SentAsync()).ShouldHaveSingleItem("the change to In Progress was delivered");
        (await JiraSystem.CommandsAsync(tenant)).ShouldBeEmpty("In Progress is not in the status map");

        var toDone = (await system.SentAsync())[0].GetRawText().Replace("\"toString\":\"In Progress\"", "\"toString\":\"Done\"");
        var issueId = (await system.IssuesAsync(JiraSystem.Acme))[0].GetProperty("id").GetString();
        var unlinked = toDone.Replace($"\"id\":\"{issueId}\"", "\"id\":\"99999\"");
        unlinked.ShouldNotBe(toDone);
        (await PostAsync(tenant, connection, unlinked, Token(JiraSystem.JiraClientSecret))).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await JiraSystem.CommandsAsync(tenant)).ShouldBeEmpty("issue 99999 is linked to nothing");

        (await PostAsync(tenant, connection, toDone, Token(JiraSystem.JiraClientSecret))).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await JiraSystem.CommandsAsync(tenant)).ShouldHaveSingleItem("the same change to Done of the linked issue does make one");
    }

    [Fact]
    public async Task Deliveries_whose_jwt_is_missing_forged_unsigned_tampered_or_expired_are_refused()
    {
        var (tenant, connection, issue) = await LinkedIssueAsync("in_attack");
        await RegisterAsync(tenant, connection);
        (await system.JiraControl.PostAsJsonAsync($"/_fake/jira/issues/{issue}/change", new { site = JiraSystem.Acme, transition_id = "31" })).EnsureSuccessStatusCode();
        var body = (await system.SentAsync())[^1].GetRawText().Replace("\"changelog\":{\"id\":\"", "\"changelog\":{\"id\":\"x");
        var valid = Token(JiraSystem.JiraClientSecret);
        var parts = valid.Split('.');
        var tampered = $"{parts[0]}.{Base64Url(Encoding.UTF8.GetBytes("{\"iss\":\"someone-else\",\"exp\":9999999999}"))}.{parts[2]}";
        var unsigned = $"{Base64Url(Encoding.UTF8.GetBytes("{\"alg\":\"none\",\"typ\":\"JWT\"}"))}.{parts[1]}.";

        foreach (var (token, reason) in new[]
                 {
                     (null, "missing_signature"), (Token("not-the-client-secret"), "invalid_signature"), (unsigned, "malformed_signature"),
                     (tampered, "invalid_signature"), (Token(JiraSystem.JiraClientSecret, expiresIn: TimeSpan.FromMinutes(-5)), "stale_timestamp"),
                 })
        {
            var refused = await PostAsync(tenant, connection, body, token);
            refused.StatusCode.ShouldBe(HttpStatusCode.Unauthorized, reason);
            (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetProperty("code").GetString().ShouldBe(reason);
        }
        var alsoNone = $"{Base64Url(Encoding.UTF8.GetBytes("{\"alg\":\"none\"}"))}.{parts[1]}.{parts[2]}";
        (await PostAsync(tenant, connection, body, alsoNone)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized, "alg none with a signature");
        (await JiraSystem.CommandsAsync(tenant)).Count.ShouldBe(1, "only the fake's signed delivery made a command");

        var other = await system.TenantAsync();
        (await PostAsync(other, connection, body, valid)).StatusCode.ShouldBe(HttpStatusCode.NotFound, "another tenant's id in the URL does not reach the connection");
        (await PostAsync(tenant, connection, body, valid)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await JiraSystem.CommandsAsync(tenant)).Count.ShouldBe(2, "the changed body (another changelog id) with a valid token is a new change");
    }

    [Fact]
    public async Task The_products_answer_to_a_command_from_jira_is_not_routed_back_to_jira()
    {
        var (tenant, connection, issue) = await LinkedIssueAsync("in_loop", ["invoice.paid", "entity.updated"]);
        await RegisterAsync(tenant, connection);
        (await system.JiraControl.PostAsJsonAsync($"/_fake/jira/issues/{issue}/change", new { site = JiraSystem.Acme, transition_id = "31" })).EnsureSuccessStatusCode();
        var commandId = (await JiraSystem.CommandsAsync(tenant)).ShouldHaveSingleItem().GetProperty("id").GetGuid();

        // The product carries the command out and answers with its normal event naming the command.
        await DeliveryApi.PublishAsync(tenant.Client, "entity.updated",
            new { entity_id = "in_loop", entity_type = "invoice", changed_fields = new[] { "status" }, command_id = commandId });
        // A change the product made on its own: the route does send it (so the check above can fail).
        var own = await DeliveryApi.PublishAsync(tenant.Client, "entity.updated", new { entity_id = "in_loop", entity_type = "invoice", changed_fields = new[] { "amount" } });

        await ConnectorsSystem.WaitForCallsAsync(tenant.Client, connection, c => c.Count == 2 && c.All(x => x.Status() == "succeeded"), Soon,
            "the invoice's issue and the product's own change");
        var calls = await (await tenant.Client.GetAsync($"/api/v1/connections/{connection}/calls")).ShouldBeJsonAsync(HttpStatusCode.OK);
        // Events of one tenant are routed in order: once the later event's call exists, the answer was passed over.
        calls.GetProperty("data").EnumerateArray().Where(c => c.GetProperty("event_type").GetString() == "entity.updated")
            .ShouldHaveSingleItem().GetProperty("event_id").GetGuid().ShouldBe(own);
        (await system.IssuesAsync(JiraSystem.Acme)).Count.ShouldBe(2);
    }

    [Theory]
    [InlineData(false, "{\"Done\":\"closed\"}", "entity_required")]
    [InlineData(true, "{\"Done\":3}", "invalid_status_map")]
    [InlineData(true, "[\"Done\"]", "invalid_status_map")]
    [InlineData(true, "{\"\":\"closed\"}", "invalid_status_map")]
    public async Task A_status_map_needs_the_routes_entity_and_names_to_names(bool withEntity, string statusMap, string code)
    {
        var tenant = await system.TenantAsync();
        var (created, _) = await system.ConnectJiraAsync(tenant.Client);
        var settings = new Dictionary<string, object?>
        {
            ["project"] = "OPS", ["issue_type"] = "Task", ["summary"] = "x", ["status_map"] = JsonDocument.Parse(statusMap).RootElement,
            ["entity"] = withEntity ? new { type = "invoice", id = "{{ data.invoice_id }}" } : null,
        };
        var body = new { event_types = new[] { "invoice.paid" }, action = "jira.issue", settings, filter = Array.Empty<object>() };

        var refused = await (await tenant.Client.PostAsJsonAsync($"/api/v1/connections/{created.GetProperty("id").GetGuid()}/routes", body))
            .ShouldBeJsonAsync(HttpStatusCode.UnprocessableEntity);

        var detail = refused.GetProperty("error").GetProperty("details").EnumerateArray().ShouldHaveSingleItem();
        detail.GetProperty("field").GetString().ShouldBe("settings.status_map");
        detail.GetProperty("code").GetString().ShouldBe(code);
    }

    /// <summary>A tenant's Jira connection with a status-mapping route, and the issue one invoice event made (linked); the issue's key.</summary>
    private async Task<(TenantWithKey Tenant, Guid Connection, string IssueKey)> LinkedIssueAsync(string invoice, string[]? eventTypes = null)
    {
        var tenant = await system.TenantAsync();
        var (created, _) = await system.ConnectJiraAsync(tenant.Client);
        var connection = created.GetProperty("id").GetGuid();
        await JiraSystem.IssueRouteAsync(tenant.Client, connection, new
        {
            project = "OPS", issue_type = "Task", summary = "{{ data.invoice_id }}{{ data.entity_id }}",
            entity = new { type = "invoice", id = "{{ data.invoice_id }}" },
            status_map = new Dictionary<string, string> { ["Done"] = "paid_and_closed" },
        }, eventTypes);
        await DeliveryApi.PublishAsync(tenant.Client, data: ConnectorsSystem.Invoice(invoice, 5));
        await ConnectorsSystem.WaitForCallsAsync(tenant.Client, connection, c => c.Count == 1 && c[0].Status() == "succeeded", Soon, "the issue was created");
        await Eventually.HoldsAsync(async () =>
            (await (await tenant.Client.GetAsync($"/api/v1/connections/{connection}/links")).ShouldBeJsonAsync(HttpStatusCode.OK)).GetProperty("data").GetArrayLength() == 1,
            Soon, "the issue is linked");
        return (tenant, connection, (await system.IssuesAsync(JiraSystem.Acme)).ShouldHaveSingleItem().GetProperty("key").GetString()!);
    }

    private Task RegisterAsync(TenantWithKey tenant, Guid connection) => system.RegisterWebhookAsync(tenant.TenantId, connection);

    private Task<HttpResponseMessage> PostAsync(TenantWithKey tenant, Guid connection, string body, string? token) =>
        system.PostWebhookAsync(tenant.TenantId, connection, body, token);

    private static string Token(string secret, TimeSpan? expiresIn = null) => JiraSystem.WebhookToken(secret, expiresIn);

    private static string Base64Url(byte[] bytes) => JiraSystem.Base64Url(bytes);
}
