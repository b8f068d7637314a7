using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Integrations.IntegrationTests.Api;
using Integrations.IntegrationTests.Connectors;
using Integrations.IntegrationTests.Infrastructure;
using Integrations.IntegrationTests.Slack;
using DeliveryApi = Integrations.IntegrationTests.Webhooks.Delivery.DeliveryApi;
using Microsoft.AspNetCore.WebUtilities;
using Shouldly;

namespace Integrations.IntegrationTests.Jira;

/// <summary>
/// The Jira Cloud connector through real processes: the OAuth 2.0 (3LO) round trip against the Jira
/// fake with the site's cloud id as the account, events through jira.issue routes to "Create issue"
/// below the site's API (ADF description, labels, mapped fields), Jira's refusals in its error shape,
/// its 429s with Retry-After and the ISO 8601 X-RateLimit-Reset, and refresh tokens that rotate on
/// every use by the API and two Workers hosts at once.
/// </summary>
[Collection(JiraCollection.Name)]
public sealed class JiraConnectorTests(JiraSystem system) : IAsyncLifetime
{
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(30);

    public Task InitializeAsync() => system.ResetJiraAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Connecting_asks_atlassian_for_consent_with_offline_access_and_stores_the_sites_cloud_id_as_the_account()
    {
        var tenant = await system.TenantAsync();

        var (connection, connectUrl) = await system.ConnectJiraAsync(tenant.Client, JiraSystem.Globex);

        connectUrl.ShouldStartWith(new Uri(system.Jira.BaseAddress, "/authorize?audience=api.atlassian.com&prompt=consent&").ToString());
        var query = QueryHelpers.ParseQuery(new Uri(connectUrl).Query);
        query["client_id"].ToString().ShouldBe(JiraSystem.JiraClientId);
        query["scope"].ToString().ShouldBe("read:jira-work write:jira-work manage:jira-webhook offline_access");
        query.ContainsKey("code_challenge").ShouldBeFalse("Atlassian's 3LO takes the client secret, not PKCE");
        connection.GetProperty("status").GetString().ShouldBe("connected");
        connection.GetProperty("account").GetProperty("id").GetString().ShouldBe(JiraSystem.Globex, "the account is accessible-resources' cloud id");
        connection.GetProperty("account").GetProperty("name").GetString().ShouldBe("Globex");
        var token = (await system.JiraControl.GetFromJsonAsync<JsonElement>("/_fake/requests?path_prefix=/oauth/token&method=POST"))
            .GetProperty("data").EnumerateArray().ShouldHaveSingleItem();
        token.GetProperty("headers").TryGetProperty("authorization", out _).ShouldBeFalse("the client id and secret go in the body");
        token.GetProperty("body").GetString()!.ShouldContain("client_secret=");
    }

    [Fact]
    public async Task An_event_becomes_an_issue_in_the_project_with_an_adf_description_labels_and_mapped_fields()
    {
        var tenant = await system.TenantAsync();
        var (connection, _) = await system.ConnectJiraAsync(tenant.Client);
        var id = connection.GetProperty("id").GetGuid();
        await JiraSystem.IssueRouteAsync(tenant.Client, id, new
        {
            project = "OPS", issue_type = "Task",
            summary = "Invoice {{ data.invoice_id }} paid",
            labels = new[] { "billing", "from integrations" },
            open_url = "https://app.example.com/invoices/{{ data.invoice_id }}",
            fields = new Dictionary<string, object>
            {
                ["customfield_10010"] = new { type = "number", value = "{{ data.amount_cents }}" },
                ["duedate"] = new { type = "date", value = "{{ data.due_at }}" },
            },
        });

        await DeliveryApi.PublishAsync(tenant.Client, data: new { invoice_id = "in_77", amount_cents = 4200, currency = "EUR", due_at = "2026-12-31T22:30:00Z" });

        var calls = await ConnectorsSystem.WaitForCallsAsync(tenant.Client, id, c => c.Count == 1 && c[0].Status() == "succeeded", Soon, "the issue was created");
        var issue = (await system.IssuesAsync(JiraSystem.Acme)).ShouldHaveSingleItem();
        issue.GetProperty("key").GetString().ShouldBe("OPS-1");
        var fields = issue.GetProperty("fields");
        fields.GetProperty("summary").GetString().ShouldBe("Invoice in_77 paid");
        fields.GetProperty("issuetype").GetProperty("name").GetString().ShouldBe("Task");
        fields.GetProperty("labels").EnumerateArray().Select(l => l.GetString()).ShouldBe(["billing", "from_integrations"]);
        fields.GetProperty("customfield_10010").GetDecimal().ShouldBe(4200m);
        fields.GetProperty("duedate").GetString().ShouldBe("2026-12-31");
        var description = fields.GetProperty("description");
        description.GetProperty("type").GetString().ShouldBe("doc");
        description.GetProperty("version").GetInt32().ShouldBe(1);
        var text = description.GetRawText();
        text.ShouldContain("\"Invoice id:\"");
        text.ShouldContain("https://app.example.com/invoices/in_77");
        var attempt = (await ConnectorsSystem.CallAsync(tenant.Client, id, calls[0].Id())).Attempts().ShouldHaveSingleItem();
        attempt.GetProperty("request").GetProperty("url").GetString()
            .ShouldBe(new Uri(system.Jira.BaseAddress, $"/ex/jira/{JiraSystem.Acme}/rest/api/3/issue").ToString(), "through the gateway address of the connection's site");
        attempt.GetProperty("status_code").GetInt32().ShouldBe(201);
    }

    [Fact]
    public async Task A_created_issue_is_linked_with_the_routes_entity_in_the_connections_identity_map()
    {
        var tenant = await system.TenantAsync();
        var (connection, _) = await system.ConnectJiraAsync(tenant.Client);
        var id = connection.GetProperty("id").GetGuid();
        await JiraSystem.IssueRouteAsync(tenant.Client, id, new
        {
            project = "OPS", issue_type = "Task", summary = "{{ data.invoice_id }}", entity = new { type = "invoice", id = "{{ data.invoice_id }}" },
        });

        await DeliveryApi.PublishAsync(tenant.Client, data: ConnectorsSystem.Invoice("in_linked", 5));

        await ConnectorsSystem.WaitForCallsAsync(tenant.Client, id, c => c.Count == 1 && c[0].Status() == "succeeded", Soon, "the issue was created");
        var issue = (await system.IssuesAsync(JiraSystem.Acme)).ShouldHaveSingleItem();
        var links = await (await tenant.Client.GetAsync($"/api/v1/connections/{id}/links")).ShouldBeJsonAsync(HttpStatusCode.OK);
        var link = links.GetProperty("data").EnumerateArray().ShouldHaveSingleItem();
        link.GetProperty("entity_type").GetString().ShouldBe("invoice");
        link.GetProperty("entity_id").GetString().ShouldBe("in_linked");
        link.GetProperty("external_type").GetString().ShouldBe("jira.issue");
        link.GetProperty("external_id").GetString().ShouldBe(issue.GetProperty("id").GetString(), "the issue's id, which survives a move to another project");
    }

    [Fact]
    public async Task A_description_template_is_rendered_into_adf_paragraphs()
    {
        var tenant = await system.TenantAsync();
        var (connection, _) = await system.ConnectJiraAsync(tenant.Client);
        var id = connection.GetProperty("id").GetGuid();
        await JiraSystem.IssueRouteAsync(tenant.Client, id, new
        {
            project = "SUP", issue_type = "Bug", summary = "{{ data.invoice_id }}",
            description = "Invoice {{ data.invoice_id }} was paid.\n\nAmount: {{ data.amount_cents }}\nCurrency: {{ data.currency }}",
        });

        await DeliveryApi.PublishAsync(tenant.Client, data: ConnectorsSystem.Invoice("in_desc", 990));

        await ConnectorsSystem.WaitForCallsAsync(tenant.Client, id, c => c.Count == 1 && c[0].Status() == "succeeded", Soon, "the issue was created");
        var content = (await system.IssuesAsync(JiraSystem.Acme)).ShouldHaveSingleItem().GetProperty("fields").GetProperty("description").GetProperty("content");
        content.GetArrayLength().ShouldBe(2);
        content[0].GetProperty("content")[0].GetProperty("text").GetString().ShouldBe("Invoice in_desc was paid.");
        content[1].GetProperty("content").EnumerateArray().Select(n => n.GetProperty("type").GetString()).ShouldBe(["text", "hardBreak", "text"]);
    }

    [Fact]
    public async Task Route_settings_jira_would_refuse_are_not_stored()
    {
        var tenant = await system.TenantAsync();
        var (connection, _) = await system.ConnectJiraAsync(tenant.Client);
        var id = connection.GetProperty("id").GetGuid();
        var body = new
        {
            event_types = new[] { "invoice.paid" }, action = "jira.issue", filter = Array.Empty<object>(),
            settings = new
            {
                project = "ops", issue_type = "Task", labels = new[] { " " }, priority = "High",
                fields = new Dictionary<string, object> { ["customfield_1"] = new { type = "money", value = "{{ data.x }}" }, ["summary"] = new { type = "string", value = "x" } },
            },
        };

        var refused = await (await tenant.Client.PostAsJsonAsync($"/api/v1/connections/{id}/routes", body)).ShouldBeJsonAsync(HttpStatusCode.UnprocessableEntity);

        var fields = refused.GetProperty("error").GetProperty("details").EnumerateArray().Select(d => d.GetProperty("field").GetString()).ToList();
        fields.ShouldBe(["settings.priority", "settings.project", "settings.summary", "settings.labels", "settings.fields.customfield_1", "settings.fields.summary"], ignoreOrder: true);
    }

    [Fact]
    public async Task An_issue_jira_refuses_is_dead_lettered_at_once_with_jiras_error_in_the_attempt_log()
    {
        var tenant = await system.TenantAsync();
        var (connection, _) = await system.ConnectJiraAsync(tenant.Client);
        var id = connection.GetProperty("id").GetGuid();
        await JiraSystem.IssueRouteAsync(tenant.Client, id, new { project = "NOPE", issue_type = "Task", summary = "x" });

        await DeliveryApi.PublishAsync(tenant.Client, data: ConnectorsSystem.Invoice("in_refused", 1));

        var calls = await ConnectorsSystem.WaitForCallsAsync(tenant.Client, id, c => c.Count == 1 && c[0].Status() != "pending", Soon, "the call ended");
        calls[0].Status().ShouldBe("failed");
        var attempt = (await ConnectorsSystem.CallAsync(tenant.Client, id, calls[0].Id())).Attempts().ShouldHaveSingleItem("a 400 is not retried");
        attempt.GetProperty("status_code").GetInt32().ShouldBe(400);
        attempt.GetProperty("response_body_excerpt").GetString()!.ShouldBe("""{"errorMessages":[],"errors":{"project":"Specify a valid project ID or key"}}""");
        (await system.IssuesAsync()).ShouldBeEmpty();
    }

    [Fact]
    public async Task A_429_with_retry_after_is_waited_out_before_the_issue_is_created()
    {
        var tenant = await system.TenantAsync();
        var (connection, _) = await system.ConnectJiraAsync(tenant.Client);
        var id = connection.GetProperty("id").GetGuid();
        await JiraSystem.IssueRouteAsync(tenant.Client, id, new { project = "OPS", issue_type = "Task", summary = "{{ data.invoice_id }}" });
        await AddFaultAsync(new Dictionary<string, string> { ["Retry-After"] = "2", ["X-RateLimit-Remaining"] = "0" });

        await DeliveryApi.PublishAsync(tenant.Client, data: ConnectorsSystem.Invoice("in_429", 1));

        await AssertWaitedAsync(tenant.Client, id, TimeSpan.FromSeconds(1.9));
    }

    [Fact]
    public async Task A_429_with_only_the_iso_8601_rate_limit_reset_waits_until_that_instant()
    {
        var tenant = await system.TenantAsync();
        var (connection, _) = await system.ConnectJiraAsync(tenant.Client);
        var id = connection.GetProperty("id").GetGuid();
        await JiraSystem.IssueRouteAsync(tenant.Client, id, new { project = "OPS", issue_type = "Task", summary = "{{ data.invoice_id }}" });
        // Jira writes X-RateLimit-Reset as an ISO 8601 instant (developer.atlassian.com/cloud/jira/platform/rate-limiting/).
        // Far enough ahead that the event reaches the first attempt well before it.
        var reset = DateTimeOffset.UtcNow.AddSeconds(5).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);
        await AddFaultAsync(new Dictionary<string, string> { ["X-RateLimit-Remaining"] = "0", ["X-RateLimit-Reset"] = reset });

        await DeliveryApi.PublishAsync(tenant.Client, data: ConnectorsSystem.Invoice("in_reset", 1));

        var received = await AssertWaitedAsync(tenant.Client, id, TimeSpan.Zero);
        received.ShouldBeGreaterThanOrEqualTo(DateTimeOffset.Parse(reset, System.Globalization.CultureInfo.InvariantCulture).AddMilliseconds(-300), "not before the reset");
    }

    [Fact]
    public async Task Rotating_refresh_tokens_rotate_on_every_use_by_the_api_and_two_workers_hosts_without_losing_the_connection()
    {
        var tenant = await system.TenantAsync();
        var (connection, _) = await system.ConnectJiraAsync(tenant.Client);
        var id = connection.GetProperty("id").GetGuid();
        await JiraSystem.IssueRouteAsync(tenant.Client, id, new { project = "OPS", issue_type = "Task", summary = "{{ data.invoice_id }}" }, ["*"]);
        await using var secondWorkers = await WorkerProcess.StartAsync(system);

        await ConnectorsSystem.PublishWhileTestingAsync(tenant.Client, id, 4);

        await ConnectorsSystem.WaitForCallsAsync(tenant.Client, id, c => c.Count == 4 && c.All(x => x.Status() == "succeeded"), Soon, "every issue was created");
        (await system.IssuesAsync(JiraSystem.Acme)).Count.ShouldBe(4);
        var (successes, reuses) = await system.RefreshCountsAsync();
        reuses.ShouldBe(0, "no refresh token was ever used twice");
        successes.ShouldBeGreaterThanOrEqualTo(2);
        (await Connections.ConnectionsSystem.GetAsync(tenant.Client, id)).GetProperty("status").GetString().ShouldBe("connected");
    }

    /// <summary>The next POST /issue answers 429 in Jira's error shape with these headers.</summary>
    private async Task AddFaultAsync(Dictionary<string, string> headers) =>
        (await system.JiraControl.PostAsJsonAsync("/_fake/faults", new
        {
            path_prefix = "/ex/jira/", method = "POST", count = 1, status = 429, headers,
            body = "{\"errorMessages\":[\"Rate limit exceeded.\"],\"errors\":{}}", content_type = "application/json",
        })).EnsureSuccessStatusCode();

    /// <summary>The call succeeded after one rate_limited attempt, the second request at least <paramref name="gap"/> after the first; returns when the second arrived.</summary>
    private async Task<DateTimeOffset> AssertWaitedAsync(HttpClient client, Guid id, TimeSpan gap)
    {
        var calls = await ConnectorsSystem.WaitForCallsAsync(client, id, c => c.Count == 1 && c[0].Status() == "succeeded", Soon, "the issue was created after the wait");
        var attempts = (await ConnectorsSystem.CallAsync(client, id, calls[0].Id())).Attempts();
        attempts.Select(a => a.GetProperty("status_code").GetInt32()).ShouldBe([429, 201]);
        attempts[0].GetProperty("error_kind").GetString().ShouldBe("rate_limited");
        var requests = (await system.JiraControl.GetFromJsonAsync<JsonElement>("/_fake/requests?path_prefix=/ex/jira/&method=POST")).GetProperty("data").EnumerateArray()
            .Select(r => r.GetProperty("received_at").GetDateTimeOffset()).ToList();
        requests.Count.ShouldBe(2);
        (requests[1] - requests[0]).ShouldBeGreaterThanOrEqualTo(gap, "the runtime honoured Jira's answer");
        (await system.IssuesAsync()).ShouldHaveSingleItem();
        return requests[1];
    }
}
