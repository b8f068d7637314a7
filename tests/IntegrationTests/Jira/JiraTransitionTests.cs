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
/// Outbound status mapping through real processes: our record's <c>entity.updated</c> moves its linked issue
/// at the Jira fake through the transition Jira offers (two calls in the attempt log: "Get issue" with its
/// transitions, then "Transition issue"); an issue in that status already needs one; a status no transition
/// leads to dead-letters the first call saying why. The fake's webhook for our own transition makes no product
/// command, while a change someone makes in Jira afterwards does, and the product's answer to a command from
/// Jira is not routed back to Jira.
/// </summary>
[Collection(JiraCollection.Name)]
public sealed class JiraTransitionTests(JiraSystem system) : IAsyncLifetime
{
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(30);

    public Task InitializeAsync() => system.ResetJiraAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Our_status_change_moves_the_linked_issue_and_its_webhook_makes_no_command_while_a_later_change_in_jira_does()
    {
        var (tenant, connection, issue) = await LinkedIssueAsync("in_move");

        var changed = await StatusChangedAsync(tenant, "in_move", "open", "closed");

        var calls = await CallsOfAsync(tenant, connection, changed, c => c.Count == 2 && c.All(x => x.Status() == "succeeded"), "read the issue, then transition it");
        (await FieldsAsync(issue)).GetProperty("status").GetProperty("name").GetString().ShouldBe("Done");
        var requests = calls.Select(c => c.Sent().ShouldHaveSingleItem().GetProperty("request")).OrderBy(r => r.GetProperty("method").GetString()).ToList();
        requests[0].GetProperty("method").GetString().ShouldBe("GET");
        requests[0].GetProperty("url").GetString()!.ShouldEndWith($"/rest/api/3/issue/{issue.Id}", Case.Sensitive, "the query (fields, expand) is left out of the log");
        calls.Single(c => c.Sent()[0].GetProperty("request").GetProperty("method").GetString() == "GET").Sent()[0].GetProperty("response_body_excerpt").GetString()!
            .Length.ShouldBe(1024, "Jira's answer is longer than the log's excerpt: the action chose from the whole answer");
        requests[1].GetProperty("method").GetString().ShouldBe("POST");
        requests[1].GetProperty("url").GetString()!.ShouldEndWith($"/rest/api/3/issue/{issue.Id}/transitions");

        // The fake delivered our transition (to Done, which the issue route maps back) before it answered: no command.
        var sent = await system.SentAsync();
        sent.ShouldHaveSingleItem().GetProperty("changelog").GetProperty("items")[0].GetProperty("toString").GetString().ShouldBe("Done");
        (await JiraSystem.CommandsAsync(tenant)).ShouldBeEmpty("the change to Done was ours");
        // Jira delivering that same change again is still ours.
        var again = await system.PostWebhookAsync(tenant.TenantId, connection, sent[0].GetRawText(), JiraSystem.WebhookToken(JiraSystem.JiraClientSecret));
        (await again.ShouldBeJsonAsync(HttpStatusCode.OK)).GetProperty("command_id").ValueKind.ShouldBe(JsonValueKind.Null);

        // Someone in Jira moves it away and back to Done: that is theirs, and comes back.
        await ChangeInJiraAsync(issue, "21");
        await ChangeInJiraAsync(issue, "31");
        var command = (await JiraSystem.CommandsAsync(tenant)).ShouldHaveSingleItem();
        command.GetProperty("data").GetProperty("attributes").GetProperty("status").GetString().ShouldBe("paid_and_closed");
        command.GetProperty("data").GetProperty("jira").GetProperty("from_status").GetString().ShouldBe("In Progress");
    }

    [Fact]
    public async Task An_issue_in_the_mapped_status_already_needs_one_call()
    {
        var (tenant, connection, issue) = await LinkedIssueAsync("in_there");

        var changed = await StatusChangedAsync(tenant, "in_there", "draft", "open");

        var call = (await CallsOfAsync(tenant, connection, changed, c => c.Count == 1 && c[0].Status() == "succeeded", "the issue was read")).ShouldHaveSingleItem();
        call.Sent().ShouldHaveSingleItem().GetProperty("request").GetProperty("method").GetString().ShouldBe("GET");
        // A follow-up is added in the transaction that records the read's success: none now means none at all.
        (await ConnectorsSystem.CallsAsync(tenant.Client, connection)).Count(c => c.EventId() == changed).ShouldBe(1, "no transition follows");
        (await FieldsAsync(issue)).GetProperty("status").GetProperty("name").GetString().ShouldBe("To Do");
        (await system.SentAsync()).ShouldBeEmpty("nothing changed in Jira");
    }

    [Fact]
    public async Task A_status_no_transition_leads_to_dead_letters_the_call_naming_the_status_and_those_reachable()
    {
        var (tenant, connection, issue) = await LinkedIssueAsync("in_stuck");

        var changed = await StatusChangedAsync(tenant, "in_stuck", "open", "cancelled");

        var call = (await CallsOfAsync(tenant, connection, changed, c => c.Count == 1 && c[0].Status() == "failed", "the read found no way to Won't Do"))
            .ShouldHaveSingleItem();
        call.GetProperty("failure_reason").GetString().ShouldBe("follow_up_refused");
        var attempts = call.Attempts();
        attempts.Count.ShouldBe(2);
        attempts[0].GetProperty("status_code").GetInt32().ShouldBe(200, "Jira answered the read");
        attempts[1].GetProperty("sent").GetBoolean().ShouldBeFalse();
        attempts[1].GetProperty("error_kind").GetString().ShouldBe("follow_up_refused");
        var reason = attempts[1].GetProperty("response_body_excerpt").GetString()!;
        reason.ShouldContain("\"Won't Do\"");
        reason.ShouldContain("\"In Progress\", \"Done\"");
        (await FieldsAsync(issue)).GetProperty("status").GetProperty("name").GetString().ShouldBe("To Do");
    }

    [Fact]
    public async Task An_unmapped_status_an_unlinked_record_and_the_products_answer_to_a_command_from_jira_make_no_call()
    {
        var (tenant, connection, issue) = await LinkedIssueAsync("in_quiet");
        await ChangeInJiraAsync(issue, "31");
        var commandId = (await JiraSystem.CommandsAsync(tenant)).ShouldHaveSingleItem().GetProperty("id").GetGuid();

        await StatusChangedAsync(tenant, "in_quiet", "open", "archived");
        await StatusChangedAsync(tenant, "in_nowhere", "open", "closed");
        // The product carries out Jira's command and answers naming it: paid_and_closed maps to Done, but it came from this connection.
        await DeliveryApi.PublishAsync(tenant.Client, "entity.updated", new
        {
            entity_id = "in_quiet", entity_type = "invoice", changed_fields = new[] { "status" },
            changes = new { status = new { from = "open", to = "paid_and_closed" } }, command_id = commandId,
        });
        // A change of the product's own afterwards is sent (so the checks above can fail): events of one tenant are routed in order.
        var own = await StatusChangedAsync(tenant, "in_quiet", "paid_and_closed", "open");

        await CallsOfAsync(tenant, connection, own, c => c.Count == 2 && c.All(x => x.Status() == "succeeded"), "the product's own change moved the issue");
        (await ConnectorsSystem.CallsAsync(tenant.Client, connection)).Where(c => c.GetProperty("event_type").GetString() == "entity.updated")
            .Select(c => c.EventId()).Distinct().ShouldBe([own]);
        (await FieldsAsync(issue)).GetProperty("status").GetProperty("name").GetString().ShouldBe("To Do");
        (await JiraSystem.CommandsAsync(tenant)).Count.ShouldBe(1, "our move back to To Do is not mapped back, and was ours anyway");
    }

    [Theory]
    [InlineData("{\"status_map\":{\"closed\":\"Done\"}}", "settings.entity", "required")]
    [InlineData("{\"entity\":{\"type\":\"invoice\",\"id\":\"{{ data.entity_id }}\"}}", "settings.status_map", "required")]
    [InlineData("{\"entity\":{\"type\":\"invoice\",\"id\":\"{{ data.entity_id }}\"},\"status_map\":{}}", "settings.status_map", "invalid_status_map")]
    [InlineData("{\"entity\":{\"type\":\"invoice\",\"id\":\"{{ data.entity_id }}\"},\"status_map\":{\"closed\":5}}", "settings.status_map", "invalid_status_map")]
    [InlineData("{\"entity\":{\"type\":\"invoice\",\"id\":\"{{ data.entity_id }}\"},\"status_map\":{\"closed\":\"Done\"},\"status\":\"{{ data.x\"}", "settings.status", "invalid_template")]
    [InlineData("{\"entity\":{\"type\":\"invoice\",\"id\":\"{{ data.entity_id }}\"},\"status_map\":{\"closed\":\"Done\"},\"project\":\"OPS\"}", "settings.project", "unknown_field")]
    public async Task Transition_routes_need_an_entity_and_a_status_map(string settings, string field, string code)
    {
        var tenant = await system.TenantAsync();
        var (created, _) = await system.ConnectJiraAsync(tenant.Client);
        var body = new { event_types = new[] { "entity.updated" }, action = "jira.transition", settings = JsonDocument.Parse(settings).RootElement, filter = Array.Empty<object>() };

        var refused = await (await tenant.Client.PostAsJsonAsync($"/api/v1/connections/{created.GetProperty("id").GetGuid()}/routes", body))
            .ShouldBeJsonAsync(HttpStatusCode.UnprocessableEntity);

        var detail = refused.GetProperty("error").GetProperty("details").EnumerateArray().ShouldHaveSingleItem();
        detail.GetProperty("field").GetString().ShouldBe(field);
        detail.GetProperty("code").GetString().ShouldBe(code);
    }

    private sealed record Issue(string Id, string Key);

    /// <summary>
    /// A tenant's Jira connection with an issue route (invoice.paid; Done maps back to paid_and_closed), a transition route
    /// (entity.updated of invoices) and the connection's webhook at the fake; the issue one invoice made, linked.
    /// </summary>
    private async Task<(TenantWithKey Tenant, Guid Connection, Issue Issue)> LinkedIssueAsync(string invoice)
    {
        var tenant = await system.TenantAsync();
        var (created, _) = await system.ConnectJiraAsync(tenant.Client);
        var connection = created.GetProperty("id").GetGuid();
        await JiraSystem.IssueRouteAsync(tenant.Client, connection, new
        {
            project = "OPS", issue_type = "Task", summary = "Invoice {{ data.invoice_id }}",
            entity = new { type = "invoice", id = "{{ data.invoice_id }}" },
            status_map = new Dictionary<string, string> { ["Done"] = "paid_and_closed" },
        });
        var route = new
        {
            event_types = new[] { "entity.updated" }, action = "jira.transition", filter = Array.Empty<object>(),
            settings = new
            {
                entity = new { type = "invoice", id = "{{ data.entity_id }}" },
                status_map = new Dictionary<string, string> { ["closed"] = "Done", ["paid_and_closed"] = "done", ["open"] = "To Do", ["cancelled"] = "Won't Do" },
            },
        };
        (await tenant.Client.PostAsJsonAsync($"/api/v1/connections/{connection}/routes", route)).StatusCode.ShouldBe(HttpStatusCode.Created);
        await DeliveryApi.PublishAsync(tenant.Client, data: ConnectorsSystem.Invoice(invoice, 5));
        await ConnectorsSystem.WaitForCallsAsync(tenant.Client, connection, c => c.Count == 1 && c[0].Status() == "succeeded", Soon, "the issue was created");
        await Eventually.HoldsAsync(async () =>
            (await (await tenant.Client.GetAsync($"/api/v1/connections/{connection}/links")).ShouldBeJsonAsync(HttpStatusCode.OK)).GetProperty("data").GetArrayLength() == 1,
            Soon, "the issue is linked");
        await system.RegisterWebhookAsync(tenant.TenantId, connection);
        var issue = (await system.IssuesAsync(JiraSystem.Acme)).ShouldHaveSingleItem();
        return (tenant, connection, new Issue(issue.GetProperty("id").GetString()!, issue.GetProperty("key").GetString()!));
    }

    /// <summary>The product's entity.updated for a status change of an invoice, as the catalog describes it; its event id.</summary>
    private static Task<Guid> StatusChangedAsync(TenantWithKey tenant, string invoice, string from, string to) =>
        DeliveryApi.PublishAsync(tenant.Client, "entity.updated", new
        {
            entity_id = invoice, entity_type = "invoice", changed_fields = new[] { "status" }, changes = new { status = new { from, to } },
        });

    /// <summary>The event's calls, once <paramref name="done"/> holds for them, each with its attempts.</summary>
    private static async Task<List<JsonElement>> CallsOfAsync(TenantWithKey tenant, Guid connection, Guid eventId, Func<List<JsonElement>, bool> done, string because)
    {
        var calls = await ConnectorsSystem.WaitForCallsAsync(tenant.Client, connection, c => done(c.Where(x => x.EventId() == eventId).ToList()), Soon, because);
        return [.. await Task.WhenAll(calls.Where(c => c.EventId() == eventId).Select(c => ConnectorsSystem.CallAsync(tenant.Client, connection, c.Id())))];
    }

    private async Task ChangeInJiraAsync(Issue issue, string transitionId) =>
        (await system.JiraControl.PostAsJsonAsync($"/_fake/jira/issues/{issue.Key}/change", new { site = JiraSystem.Acme, transition_id = transitionId }))
        .EnsureSuccessStatusCode();

    private async Task<JsonElement> FieldsAsync(Issue issue) =>
        (await system.IssuesAsync(JiraSystem.Acme)).Single(i => i.GetProperty("id").GetString() == issue.Id).GetProperty("fields");
}
