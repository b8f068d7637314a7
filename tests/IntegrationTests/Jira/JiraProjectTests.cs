using System.Net;
using System.Net.Http.Json;
using Integrations.IntegrationTests.Api;
using Integrations.IntegrationTests.Infrastructure;
using Shouldly;

namespace Integrations.IntegrationTests.Jira;

/// <summary>GET /api/v1/connections/{id}/jira/projects: the site's projects across Jira's pages, for the route editor.</summary>
[Collection(JiraCollection.Name)]
public sealed class JiraProjectTests(JiraSystem system) : IAsyncLifetime
{
    public Task InitializeAsync() => system.ResetJiraAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Projects_are_read_across_jiras_pages_by_key_from_the_connections_own_site()
    {
        var tenant = await system.TenantAsync();
        var (connection, _) = await system.ConnectJiraAsync(tenant.Client, JiraSystem.Globex);
        var id = connection.GetProperty("id").GetGuid();
        for (var i = 0; i < 60; i++)
            (await system.JiraControl.PostAsJsonAsync("/_fake/jira/projects", new { site = JiraSystem.Globex, id = $"{20000 + i}", key = $"P{i:D2}", name = $"Project {i}" }))
                .EnsureSuccessStatusCode();
        (await system.JiraControl.PostAsJsonAsync("/_fake/jira/projects", new { site = JiraSystem.Acme, id = "30000", key = "ACMEONLY", name = "Other site" }))
            .EnsureSuccessStatusCode();

        var list = await (await tenant.Client.GetAsync($"/api/v1/connections/{id}/jira/projects")).ShouldBeJsonAsync(HttpStatusCode.OK);

        var keys = list.GetProperty("data").EnumerateArray().Select(p => p.GetProperty("key").GetString()).ToList();
        keys.Count.ShouldBe(62);
        keys.ShouldBe(keys.Order(StringComparer.Ordinal).ToList());
        keys.ShouldContain("OPS");
        keys.ShouldNotContain("ACMEONLY", "another site's project");
        list.GetProperty("truncated").GetBoolean().ShouldBeFalse();
        var pages = (await system.Jira.Control.RequestsAsync($"/ex/jira/{JiraSystem.Globex}/rest/api/3/project/search")).Count;
        pages.ShouldBe(2, "50 a page");
    }

    [Fact]
    public async Task Another_providers_connection_or_tenant_gets_no_projects()
    {
        await system.ResetFakeAsync();
        var tenant = await system.TenantAsync();
        var (connection, _) = await system.ConnectJiraAsync(tenant.Client);
        var (http, _) = await system.ConnectApiKeyAsync(tenant.Client);
        var other = await system.TenantAsync();

        var notJira = await (await tenant.Client.GetAsync($"/api/v1/connections/{http}/jira/projects")).ShouldBeJsonAsync(HttpStatusCode.Conflict);
        notJira.GetProperty("error").GetProperty("code").GetString().ShouldBe("not_a_jira_connection");
        var foreign = await (await other.Client.GetAsync($"/api/v1/connections/{connection.GetProperty("id").GetGuid()}/jira/projects")).ShouldBeJsonAsync(HttpStatusCode.NotFound);
        foreign.GetProperty("error").GetProperty("code").GetString().ShouldBe("connection_not_found");
    }
}
