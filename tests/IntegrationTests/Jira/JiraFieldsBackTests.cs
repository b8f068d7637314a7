using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Integrations.IntegrationTests.Api;
using Integrations.IntegrationTests.Connectors;
using Integrations.IntegrationTests.Infrastructure;
using DeliveryApi = Integrations.IntegrationTests.Webhooks.Delivery.DeliveryApi;
using Shouldly;

namespace Integrations.IntegrationTests.Jira;

/// <summary>
/// Mapped fields on the way back, through real processes: someone in Jira changes fields of a linked issue
/// (the fake's control call, delivered as Jira's signed <c>jira:issue_updated</c> with Jira's changelog
/// items); the fields the route's <c>fields_back</c> maps come back converted in one <c>entity.update</c>,
/// together with a mapped status of the same change; unmapped fields and values that do not convert do not.
/// </summary>
[Collection(JiraCollection.Name)]
public sealed class JiraFieldsBackTests(JiraSystem system) : IAsyncLifetime
{
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(30);

    private static readonly object FieldsBack = new Dictionary<string, object>
    {
        ["duedate"] = new { attribute = "due_at", type = "date" },
        ["customfield_10010"] = new { attribute = "amount_cents", type = "number" },
        ["priority"] = new { attribute = "priority", type = "option" },
        ["assignee"] = new { attribute = "owner", type = "user" },
    };

    public Task InitializeAsync() => system.ResetJiraAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_change_to_mapped_fields_in_jira_becomes_one_entity_update_with_the_converted_attributes()
    {
        var (tenant, issue) = await LinkedIssueAsync("in_fields");

        await ChangeAsync(issue, new
        {
            site = JiraSystem.Acme,
            fields = new Dictionary<string, object>
            {
                ["duedate"] = "2026-12-31", ["customfield_10010"] = 4200, ["priority"] = new { name = "High" },
                ["assignee"] = new { accountId = "557058:0a1b2c3d-mia" },
            },
        });

        var command = (await JiraSystem.CommandsAsync(tenant)).ShouldHaveSingleItem();
        command.GetProperty("command").GetString().ShouldBe("entity.update");
        command.GetProperty("target").GetProperty("id").GetString().ShouldBe("in_fields");
        // The date from the item's `to`, the option's value and the number from `toString`, the user's account id (not the display name) from `to`.
        Attributes(command).ShouldBe("""{"amount_cents":4200,"due_at":"2026-12-31","owner":"557058:0a1b2c3d-mia","priority":"High"}""");
        command.GetProperty("data").GetProperty("jira").GetProperty("to_status").ValueKind.ShouldBe(JsonValueKind.Null);
    }

    [Fact]
    public async Task A_mapped_status_and_mapped_fields_of_one_change_make_one_command_once()
    {
        var (tenant, issue) = await LinkedIssueAsync("in_both");

        await ChangeAsync(issue, new { site = JiraSystem.Acme, transition_id = "31", fields = new Dictionary<string, object> { ["duedate"] = "2027-01-15" } });

        var command = (await JiraSystem.CommandsAsync(tenant)).ShouldHaveSingleItem();
        Attributes(command).ShouldBe("""{"due_at":"2027-01-15","status":"closed"}""");
        command.GetProperty("data").GetProperty("jira").GetProperty("to_status").GetString().ShouldBe("Done");

        // Jira sends the delivery again: the same changelog id issues nothing new.
        var sent = (await system.JiraControl.GetFromJsonAsync<JsonElement>("/_fake/jira/webhooks/sent")).GetProperty("data")[0];
        var again = await system.PostWebhookAsync(tenant.TenantId, Connection(tenant), sent.GetRawText(), JiraSystem.WebhookToken(JiraSystem.JiraClientSecret));
        (await again.ShouldBeJsonAsync(HttpStatusCode.OK)).GetProperty("command_id").ValueKind.ShouldBe(JsonValueKind.Null);
        (await JiraSystem.CommandsAsync(tenant)).Count.ShouldBe(1);
    }

    [Fact]
    public async Task Unmapped_fields_make_nothing_and_a_value_that_does_not_convert_is_left_out()
    {
        var (tenant, issue) = await LinkedIssueAsync("in_partial");

        await ChangeAsync(issue, new { site = JiraSystem.Acme, fields = new Dictionary<string, object> { ["summary"] = "Renamed in Jira", ["labels"] = new[] { "x" } } });
        await ChangeAsync(issue, new { site = JiraSystem.Acme, fields = new Dictionary<string, object> { ["customfield_10010"] = "lots" } });
        (await JiraSystem.CommandsAsync(tenant)).ShouldBeEmpty("summary and labels are not mapped back; \"lots\" is no number");

        await ChangeAsync(issue, new { site = JiraSystem.Acme, fields = new Dictionary<string, object> { ["customfield_10010"] = "many", ["duedate"] = "2026-11-30" } });
        Attributes((await JiraSystem.CommandsAsync(tenant)).ShouldHaveSingleItem()).ShouldBe("""{"due_at":"2026-11-30"}""", "the number that does not convert is left out, the date comes back");
    }

    [Theory]
    [InlineData(false, """{"duedate":{"attribute":"due_at","type":"date"}}""", "settings.fields_back", "entity_required")]
    [InlineData(true, """{"duedate":{"attribute":"due_at","type":"geo"}}""", "settings.fields_back.duedate", "invalid_fields_back")]
    [InlineData(true, """{"duedate":{"attribute":"Due At","type":"date"}}""", "settings.fields_back.duedate", "invalid_fields_back")]
    [InlineData(true, """{"resolution":{"attribute":"status","type":"string"}}""", "settings.fields_back.resolution", "invalid_fields_back")]
    [InlineData(true, """{"status":{"attribute":"state","type":"string"}}""", "settings.fields_back.status", "invalid_field")]
    [InlineData(true, """{"duedate":{"attribute":"due_at","type":"date"},"customfield_1":{"attribute":"due_at","type":"date"}}""", "settings.fields_back.customfield_1", "invalid_fields_back")]
    [InlineData(true, """["duedate"]""", "settings.fields_back", "invalid_fields_back")]
    public async Task Fields_back_need_the_routes_entity_a_type_and_one_attribute_each(bool withEntity, string fieldsBack, string field, string code)
    {
        var tenant = await system.TenantAsync();
        var (created, _) = await system.ConnectJiraAsync(tenant.Client);
        var settings = new Dictionary<string, object?>
        {
            ["project"] = "OPS", ["issue_type"] = "Task", ["summary"] = "x", ["fields_back"] = JsonDocument.Parse(fieldsBack).RootElement,
            ["entity"] = withEntity ? new { type = "invoice", id = "{{ data.invoice_id }}" } : null,
        };
        var body = new { event_types = new[] { "invoice.paid" }, action = "jira.issue", settings, filter = Array.Empty<object>() };

        var refused = await (await tenant.Client.PostAsJsonAsync($"/api/v1/connections/{created.GetProperty("id").GetGuid()}/routes", body))
            .ShouldBeJsonAsync(HttpStatusCode.UnprocessableEntity);

        var detail = refused.GetProperty("error").GetProperty("details").EnumerateArray().ShouldHaveSingleItem();
        detail.GetProperty("field").GetString().ShouldBe(field);
        detail.GetProperty("code").GetString().ShouldBe(code);
    }

    private readonly Dictionary<Guid, Guid> _connections = [];

    private Guid Connection(TenantWithKey tenant) => _connections[tenant.TenantId];

    /// <summary>A tenant's connection with a route mapping Done and four fields back, the issue one invoice made (linked), its webhook registered; the issue's key.</summary>
    private async Task<(TenantWithKey Tenant, string IssueKey)> LinkedIssueAsync(string invoice)
    {
        var tenant = await system.TenantAsync();
        var (created, _) = await system.ConnectJiraAsync(tenant.Client);
        var connection = created.GetProperty("id").GetGuid();
        _connections[tenant.TenantId] = connection;
        await JiraSystem.IssueRouteAsync(tenant.Client, connection, new
        {
            project = "OPS", issue_type = "Task", summary = "{{ data.invoice_id }}",
            entity = new { type = "invoice", id = "{{ data.invoice_id }}" },
            status_map = new Dictionary<string, string> { ["Done"] = "closed" },
            fields_back = FieldsBack,
        });
        await DeliveryApi.PublishAsync(tenant.Client, data: ConnectorsSystem.Invoice(invoice, 5));
        await ConnectorsSystem.WaitForCallsAsync(tenant.Client, connection, c => c.Count == 1 && c[0].Status() == "succeeded", Soon, "the issue was created");
        await Eventually.HoldsAsync(async () =>
            (await (await tenant.Client.GetAsync($"/api/v1/connections/{connection}/links")).ShouldBeJsonAsync(HttpStatusCode.OK)).GetProperty("data").GetArrayLength() == 1,
            Soon, "the issue is linked");
        await system.RegisterWebhookAsync(tenant.TenantId, connection);
        return (tenant, (await system.IssuesAsync(JiraSystem.Acme)).ShouldHaveSingleItem().GetProperty("key").GetString()!);
    }

    private async Task ChangeAsync(string issue, object change) =>
        (await (await system.JiraControl.PostAsJsonAsync($"/_fake/jira/issues/{issue}/change", change)).ShouldBeJsonAsync(HttpStatusCode.OK))
            .GetProperty("delivered").GetInt32().ShouldBe(1, "our URL accepted the signed delivery");

    /// <summary>The command's attributes as JSON with the names in order (the stored command does not keep their order).</summary>
    private static string Attributes(JsonElement command) =>
        JsonSerializer.Serialize(new SortedDictionary<string, JsonElement>(
            command.GetProperty("data").GetProperty("attributes").EnumerateObject().ToDictionary(p => p.Name, p => p.Value), StringComparer.Ordinal));
}
