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
/// The Jira system with registration health looking every half second, a short retry after a failed
/// check, and a renewal window longer than Jira's 30 days, so that every check renews: the fake's
/// clock moves and ours does not, and the window's own rule is a unit test (RegistrationPlanTests).
/// </summary>
public sealed class JiraRegistrationSystem : JiraSystem
{
    protected override IDictionary<string, string?> ExtraConfiguration
    {
        get
        {
            var settings = base.ExtraConfiguration;
            settings["Connectors:Registrations:Enabled"] = "true";
            settings["Connectors:Registrations:PollInterval"] = "00:00:00.500";
            settings["Connectors:Registrations:FirstRetry"] = "00:00:01";
            settings["Connectors:Registrations:RenewWithin"] = "31.00:00:00";
            return settings;
        }
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class JiraRegistrationCollection : ICollectionFixture<JiraRegistrationSystem>
{
    public const string Name = "Jira registrations";
}

/// <summary>
/// Registration health of Jira's dynamic webhooks through real processes (ADR 0028): the Workers
/// register the webhook a route's status_map needs, changes in Jira then come back as product commands;
/// a webhook near expiry is renewed, one gone at Jira is registered again, one no route needs is removed;
/// a registration Jira refuses is failing and tells the tenant until it works again.
/// </summary>
[Collection(JiraRegistrationCollection.Name)]
public sealed class JiraRegistrationTests(JiraRegistrationSystem system) : IAsyncLifetime
{
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(30);

    public Task InitializeAsync() => system.ResetJiraAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task The_workers_register_the_webhook_a_status_map_needs_and_status_changes_in_jira_come_back()
    {
        var (tenant, connection, _) = await ConnectWithRouteAsync();
        var url = new Uri(system.BaseAddress, $"/inbound/jira/{tenant.TenantId}/{connection}").ToString();

        // No call to the API: the Workers' sweep acts on the new route.
        await Eventually.HoldsAsync(async () => (await WebhooksAsync()).Count == 1, Soon, "the Workers registered the webhook at Jira");
        var hook = (await WebhooksAsync()).ShouldHaveSingleItem();
        hook.GetProperty("url").GetString().ShouldBe(url);
        hook.GetProperty("jql_filter").GetString().ShouldBe("project in (\"OPS\")");
        hook.GetProperty("events").EnumerateArray().Select(e => e.GetString()).ShouldBe(["jira:issue_updated"]);

        var registration = await Eventually.ValueAsync(async () => (await RegistrationsAsync(tenant, connection)).Select(r => (JsonElement?)r).SingleOrDefault(), Soon, "the registration is listed");
        registration.GetProperty("kind").GetString().ShouldBe("jira.webhook");
        registration.GetProperty("status").GetString().ShouldBe("active");
        registration.GetProperty("external_id").GetString().ShouldBe(hook.GetProperty("id").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture));
        registration.GetProperty("url").GetString().ShouldBe(url);
        registration.GetProperty("expires_at").GetDateTimeOffset().ShouldBe(hook.GetProperty("expires_at").GetDateTimeOffset(), TimeSpan.FromSeconds(1));

        // The way back now works without anyone registering anything by hand.
        var issue = await LinkedIssueAsync(tenant, connection, "in_reg");
        (await (await system.JiraControl.PostAsJsonAsync($"/_fake/jira/issues/{issue}/change", new { site = JiraSystem.Acme, transition_id = "31" }))
            .ShouldBeJsonAsync(HttpStatusCode.OK)).GetProperty("delivered").GetInt32().ShouldBe(1);
        var command = (await JiraSystem.CommandsAsync(tenant)).ShouldHaveSingleItem();
        command.GetProperty("data").GetProperty("attributes").GetProperty("status").GetString().ShouldBe("closed");
    }

    [Fact]
    public async Task A_webhook_near_expiry_is_renewed_and_one_gone_at_jira_is_registered_again()
    {
        var (tenant, connection, _) = await ConnectWithRouteAsync();
        var first = await CheckAsync(tenant, connection);
        var firstExpiry = first.GetProperty("expires_at").GetDateTimeOffset();

        // Ten days later at Jira: the check renews (PUT /webhook/refresh), 30 days from Jira's now.
        await AdvanceJiraClockAsync(TimeSpan.FromDays(10));
        var renewed = await CheckAsync(tenant, connection);
        renewed.GetProperty("external_id").GetString().ShouldBe(first.GetProperty("external_id").GetString());
        renewed.GetProperty("expires_at").GetDateTimeOffset().ShouldBe(firstExpiry + TimeSpan.FromDays(10), TimeSpan.FromMinutes(1));
        (await WebhooksAsync()).ShouldHaveSingleItem().GetProperty("expires_at").GetDateTimeOffset()
            .ShouldBe(renewed.GetProperty("expires_at").GetDateTimeOffset(), TimeSpan.FromSeconds(1));

        // Someone removes it at Jira: the next check notices and registers it again.
        (await system.JiraControl.DeleteAsync($"/_fake/jira/webhooks/{first.GetProperty("external_id").GetString()}?site={JiraSystem.Acme}")).EnsureSuccessStatusCode();
        (await WebhooksAsync()).ShouldBeEmpty();
        var again = await CheckAsync(tenant, connection);
        again.GetProperty("status").GetString().ShouldBe("active");
        again.GetProperty("external_id").GetString().ShouldNotBe(first.GetProperty("external_id").GetString());
        (await WebhooksAsync()).ShouldHaveSingleItem().GetProperty("id").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture)
            .ShouldBe(again.GetProperty("external_id").GetString());

        // Expired at Jira (past its 30 days without a renewal) is gone too, and comes back the same way.
        await AdvanceJiraClockAsync(TimeSpan.FromDays(31));
        (await WebhooksAsync()).ShouldBeEmpty();
        var revived = await CheckAsync(tenant, connection);
        revived.GetProperty("external_id").GetString().ShouldNotBe(again.GetProperty("external_id").GetString());
        (await WebhooksAsync()).Count.ShouldBe(1);
    }

    [Fact]
    public async Task A_changed_project_replaces_the_webhook_and_removing_the_route_removes_it()
    {
        var (tenant, connection, route) = await ConnectWithRouteAsync();
        var first = await CheckAsync(tenant, connection);

        (await tenant.Client.PatchAsJsonAsync($"/api/v1/connections/{connection}/routes/{route}", new
        {
            settings = RouteSettings("FIN"),
        })).StatusCode.ShouldBe(HttpStatusCode.OK);
        var replaced = await CheckAsync(tenant, connection);
        replaced.GetProperty("filter").GetString().ShouldBe("project in (\"FIN\")");
        replaced.GetProperty("external_id").GetString().ShouldNotBe(first.GetProperty("external_id").GetString());
        (await WebhooksAsync()).ShouldHaveSingleItem().GetProperty("jql_filter").GetString().ShouldBe("project in (\"FIN\")");

        (await tenant.Client.DeleteAsync($"/api/v1/connections/{connection}/routes/{route}")).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        var after = await (await tenant.Client.PostAsync($"/api/v1/connections/{connection}/registrations/check", null)).ShouldBeJsonAsync(HttpStatusCode.OK);
        after.GetProperty("data").GetArrayLength().ShouldBe(0);
        (await WebhooksAsync()).ShouldBeEmpty("no route needs the webhook: it is removed at Jira");
    }

    [Fact]
    public async Task A_registration_jira_refuses_is_failing_and_tells_the_tenant_until_it_works_again()
    {
        // Before the route exists, so that neither the sweep nor the test ever registers it while the fault is off.
        (await system.JiraControl.PostAsJsonAsync("/_fake/faults", new
        {
            path_prefix = $"/ex/jira/{JiraSystem.Acme}/rest/api/3/webhook", method = "POST", status = 403, count = (int?)null,
            body = "{\"errorMessages\":[\"The app is not allowed to register webhooks.\"],\"errors\":{}}",
        })).EnsureSuccessStatusCode();
        var (tenant, connection, _) = await ConnectWithRouteAsync(startSweepFirst: false);

        var failing = await CheckAsync(tenant, connection, allowBusy: true);
        failing.GetProperty("status").GetString().ShouldBe("failing");
        failing.GetProperty("last_error").GetString().ShouldBe("http_403");
        await Eventually.HoldsAsync(async () => (await NoticesAsync(tenant, connection)).Any(n => n.GetProperty("notice").GetString() == "opened"), Soon,
            "a second failure in a row tells the tenant");
        var opened = (await NoticesAsync(tenant, connection)).ShouldHaveSingleItem();
        opened.GetProperty("summary").GetString()!.ShouldContain("jira connection's webhook registration");
        opened.GetProperty("detail").GetString()!.ShouldNotContain("not allowed to register", Case.Insensitive, "the provider's answer is not shown");

        (await system.JiraControl.DeleteAsync("/_fake/faults")).EnsureSuccessStatusCode();
        var working = await CheckAsync(tenant, connection, allowBusy: true);
        working.GetProperty("status").GetString().ShouldBe("active");
        working.GetProperty("failures_in_a_row").GetInt32().ShouldBe(0);
        (await NoticesAsync(tenant, connection)).Select(n => n.GetProperty("notice").GetString()).ShouldBe(["resolved", "opened"], ignoreOrder: true);
    }

    [Fact]
    public async Task Another_tenant_can_neither_list_nor_check_a_connections_registrations()
    {
        var (tenant, connection, _) = await ConnectWithRouteAsync();
        await CheckAsync(tenant, connection);
        var stranger = await system.TenantAsync();
        await (await stranger.Client.GetAsync($"/api/v1/connections/{connection}/registrations")).ShouldBeErrorAsync(HttpStatusCode.NotFound, "connection_not_found");
        await (await stranger.Client.PostAsync($"/api/v1/connections/{connection}/registrations/check", null))
            .ShouldBeErrorAsync(HttpStatusCode.NotFound, "connection_not_found");
    }

    private static object RouteSettings(string project) => new
    {
        project, issue_type = "Task", summary = "{{ data.invoice_id }}",
        entity = new { type = "invoice", id = "{{ data.invoice_id }}" },
        status_map = new Dictionary<string, string> { ["Done"] = "closed" },
    };

    /// <param name="startSweepFirst">False: the test asks for the checks itself, from the first (the sweep may still take one in between).</param>
    private async Task<(TenantWithKey Tenant, Guid Connection, Guid Route)> ConnectWithRouteAsync(bool startSweepFirst = true)
    {
        var tenant = await system.TenantAsync();
        var (created, _) = await system.ConnectJiraAsync(tenant.Client);
        var connection = created.GetProperty("id").GetGuid();
        var route = await JiraSystem.IssueRouteAsync(tenant.Client, connection, RouteSettings("OPS"));
        if (startSweepFirst)
            await Eventually.HoldsAsync(async () => (await RegistrationsAsync(tenant, connection)).Count == 1, Soon, "the sweep registered the webhook");
        return (tenant, connection, route);
    }

    /// <summary>"Check now"; a check the sweep holds at that moment answers 409 check_in_progress, and is asked again.</summary>
    private static async Task<JsonElement> CheckAsync(TenantWithKey tenant, Guid connection, bool allowBusy = true)
    {
        return await Eventually.ValueAsync(async () =>
        {
            var answer = await tenant.Client.PostAsync($"/api/v1/connections/{connection}/registrations/check", null);
            if (allowBusy && answer.StatusCode == HttpStatusCode.Conflict) return (JsonElement?)null;
            return (await answer.ShouldBeJsonAsync(HttpStatusCode.OK)).GetProperty("data").EnumerateArray().Single();
        }, Soon, "the check ran");
    }

    private async Task<string> LinkedIssueAsync(TenantWithKey tenant, Guid connection, string invoice)
    {
        await DeliveryApi.PublishAsync(tenant.Client, data: ConnectorsSystem.Invoice(invoice, 5));
        await ConnectorsSystem.WaitForCallsAsync(tenant.Client, connection, c => c.Count == 1 && c[0].Status() == "succeeded", Soon, "the issue was created");
        return (await system.IssuesAsync(JiraSystem.Acme)).Last().GetProperty("key").GetString()!;
    }

    private async Task AdvanceJiraClockAsync(TimeSpan by) =>
        (await system.JiraControl.PostAsJsonAsync("/_fake/clock/advance", new { seconds = (long)by.TotalSeconds })).EnsureSuccessStatusCode();

    private async Task<List<JsonElement>> WebhooksAsync() =>
        (await system.JiraControl.GetFromJsonAsync<JsonElement>($"/_fake/jira/webhooks?site={JiraSystem.Acme}")).GetProperty("data").EnumerateArray().ToList();

    private static async Task<List<JsonElement>> RegistrationsAsync(TenantWithKey tenant, Guid connection) =>
        (await (await tenant.Client.GetAsync($"/api/v1/connections/{connection}/registrations")).ShouldBeJsonAsync(HttpStatusCode.OK))
            .GetProperty("data").EnumerateArray().Where(r => r.GetProperty("status").GetString() == "active").ToList();

    private static async Task<List<JsonElement>> NoticesAsync(TenantWithKey tenant, Guid connection) =>
        (await (await tenant.Client.GetAsync("/api/v1/notifications?kind=connection.registration_failing&limit=100")).ShouldBeJsonAsync(HttpStatusCode.OK))
            .GetProperty("data").EnumerateArray().Where(n => n.GetProperty("subject_id").GetGuid() == connection).ToList();
}
