using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Integrations.IntegrationTests.Api;
using Integrations.IntegrationTests.Connectors;
using Integrations.IntegrationTests.Infrastructure;
using DeliveryApi = Integrations.IntegrationTests.Webhooks.Delivery.DeliveryApi;
using Shouldly;

namespace Integrations.IntegrationTests.Jira;

/// <summary>
/// Connecting Jira with an API token and the account's e-mail (basic), through real processes: the connection
/// names its site (the fake's host stands in for <c>acme.atlassian.net</c>), is verified with <c>GET /rest/api/3/myself</c>
/// on that site, creates issues and lists projects there with <c>Authorization: Basic</c>; a wrong or revoked token
/// fails clearly; a site off the allowed hosts is refused; and the token shows up in no answer and no attempt.
/// </summary>
[Collection(JiraCollection.Name)]
public sealed class JiraApiTokenTests(JiraSystem system) : IAsyncLifetime
{
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(30);

    public Task InitializeAsync() => system.ResetJiraAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    private string Site => system.Jira.BaseAddress.GetLeftPart(UriPartial.Authority);

    [Fact]
    public async Task The_console_connects_a_site_with_an_api_token_through_its_own_form()
    {
        var tenant = await system.TenantAsync();
        var session = await (await tenant.Client.PostAsJsonAsync("/api/v1/console-sessions", new { })).ShouldBeJsonAsync(HttpStatusCode.Created);
        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = true }) { BaseAddress = system.BaseAddress };
        (await browser.GetAsync(new Uri(session.GetProperty("url").GetString()!).PathAndQuery)).StatusCode.ShouldBe(HttpStatusCode.SeeOther);

        var page = await browser.GetStringAsync("/console/connections");
        var form = page[page.IndexOf("id=\"connect-jira-basic\"", StringComparison.Ordinal)..];
        form = form[..form.IndexOf("</form>", StringComparison.Ordinal)];
        form.ShouldContain("Site (e.g. acme.atlassian.net)");
        form.ShouldContain("API token");
        var antiforgery = System.Text.RegularExpressions.Regex.Match(form, "name=\"(__RequestVerificationToken[^\"]*)\" value=\"([^\"]+)\"");
        antiforgery.Success.ShouldBeTrue(form);

        var posted = await browser.PostAsync("/console/connections", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            [antiforgery.Groups[1].Value] = System.Net.WebUtility.HtmlDecode(antiforgery.Groups[2].Value),
            ["provider"] = "jira", ["auth_kind"] = "basic", ["display_name"] = "Acme by token",
            ["site"] = Site, ["username"] = JiraSystem.SiteEmail, ["password"] = JiraSystem.SiteApiToken,
        }));
        posted.StatusCode.ShouldBe(HttpStatusCode.SeeOther, await posted.Content.ReadAsStringAsync());
        var id = Guid.Parse(posted.Headers.Location!.ToString().Split('/').Last());
        var connection = await Connections.ConnectionsSystem.GetAsync(tenant.Client, id);
        connection.GetProperty("status").GetString().ShouldBe("connected");
        connection.GetProperty("auth_kind").GetString().ShouldBe("basic");
        connection.GetProperty("settings").GetProperty("base_url").GetString()!.TrimEnd('/').ShouldBe(Site);
        (await browser.GetStringAsync($"/console/connections/{id}")).ShouldNotContain(JiraSystem.SiteApiToken);
    }

    [Fact]
    public async Task A_connection_with_an_api_token_creates_issues_and_lists_projects_on_its_site_and_never_shows_the_token()
    {
        var tenant = await system.TenantAsync();
        var answers = new List<string>();

        var created = await CreateAsync(tenant, JiraSystem.SiteApiToken, Site);
        answers.Add(created.Body);
        created.Status.ShouldBe(HttpStatusCode.Created, created.Body);
        var connection = JsonDocument.Parse(created.Body).RootElement.GetProperty("connection");
        var id = connection.GetProperty("id").GetGuid();
        connection.GetProperty("auth_kind").GetString().ShouldBe("basic");
        connection.GetProperty("status").GetString().ShouldBe("connected");
        connection.GetProperty("account").GetProperty("id").GetString().ShouldBe(system.Jira.BaseAddress.Authority, "the site's host is the account");
        connection.GetProperty("settings").GetProperty("base_url").GetString()!.TrimEnd('/').ShouldBe(Site);

        var test = await tenant.Client.PostAsync($"/api/v1/connections/{id}/test", null);
        answers.Add(await test.Content.ReadAsStringAsync());
        JsonDocument.Parse(answers[^1]).RootElement.GetProperty("result").GetString().ShouldBe("succeeded");

        await JiraSystem.IssueRouteAsync(tenant.Client, id, new
        {
            project = "OPS", issue_type = "Task", summary = "Invoice {{ data.invoice_id }} paid",
            entity = new { type = "invoice", id = "{{ data.invoice_id }}" },
        });
        await DeliveryApi.PublishAsync(tenant.Client, data: ConnectorsSystem.Invoice("in_token", 5));
        await ConnectorsSystem.WaitForCallsAsync(tenant.Client, id, c => c.Count == 1 && c[0].Status() == "succeeded", Soon, "the issue was created on the site");
        var issue = (await system.IssuesAsync(JiraSystem.Acme)).ShouldHaveSingleItem("the e-mail's site is Acme");
        issue.GetProperty("fields").GetProperty("summary").GetString().ShouldBe("Invoice in_token paid");

        var projects = await tenant.Client.GetAsync($"/api/v1/connections/{id}/jira/projects");
        answers.Add(await projects.Content.ReadAsStringAsync());
        projects.StatusCode.ShouldBe(HttpStatusCode.OK);
        JsonDocument.Parse(answers[^1]).RootElement.GetProperty("data").EnumerateArray().Select(p => p.GetProperty("key").GetString()).ShouldBe(["OPS", "SUP"]);

        foreach (var path in new[] { $"/api/v1/connections/{id}", $"/api/v1/connections/{id}/calls", "/api/v1/connections", $"/api/v1/connections/{id}/audit-log" })
        {
            var answer = await tenant.Client.GetAsync(path);
            answers.Add(path + " " + await answer.Content.ReadAsStringAsync());
        }
        var calls = await ConnectorsSystem.CallsAsync(tenant.Client, id);
        foreach (var call in calls) answers.Add((await ConnectorsSystem.CallAsync(tenant.Client, id, call.Id())).GetRawText());
        var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{JiraSystem.SiteEmail}:{JiraSystem.SiteApiToken}"));
        answers.ShouldAllBe(a => !a.Contains(JiraSystem.SiteApiToken) && !a.Contains(basic), "no answer or attempt shows the token");
        answers.ShouldContain(a => a.Contains("/rest/api/3/issue"), "the attempt log was read");
    }

    [Fact]
    public async Task A_wrong_token_is_refused_at_creation_a_revoked_one_fails_the_connection_test_clearly_and_a_new_one_reconnects()
    {
        var tenant = await system.TenantAsync();

        var wrong = await CreateAsync(tenant, "not-the-token", Site);
        wrong.Status.ShouldBe(HttpStatusCode.UnprocessableEntity);
        var refusal = JsonDocument.Parse(wrong.Body).RootElement.GetProperty("error").GetProperty("details").EnumerateArray().ShouldHaveSingleItem();
        refusal.GetProperty("field").GetString().ShouldBe("credentials");
        refusal.GetProperty("code").GetString().ShouldBe("credentials_refused");
        refusal.GetProperty("message").GetString()!.ShouldContain("401");
        wrong.Body.ShouldNotContain("not-the-token");

        var created = await CreateAsync(tenant, JiraSystem.SiteApiToken, Site);
        created.Status.ShouldBe(HttpStatusCode.Created, created.Body);
        var id = JsonDocument.Parse(created.Body).RootElement.GetProperty("connection").GetProperty("id").GetGuid();
        // The Atlassian account's owner revokes the token (the fake forgets the user).
        (await system.JiraControl.DeleteAsync($"/_fake/auth/basic-users/{Uri.EscapeDataString(JiraSystem.SiteEmail)}")).EnsureSuccessStatusCode();
        try
        {
            var test = await (await tenant.Client.PostAsync($"/api/v1/connections/{id}/test", null)).ShouldBeJsonAsync(HttpStatusCode.OK);
            test.GetProperty("result").GetString().ShouldBe("failed");
            test.GetProperty("error").GetString()!.ShouldContain("401");
            test.GetRawText().ShouldNotContain(JiraSystem.SiteApiToken);

            // A new token for the same account: reconnecting keeps the connection and its site.
            const string newToken = "ATATT3xFfGF0-new-token-77aa";
            (await system.JiraControl.PostAsJsonAsync("/_fake/auth/basic-users",
                new { username = JiraSystem.SiteEmail, password = newToken, account = JiraSystem.Acme })).EnsureSuccessStatusCode();
            var reconnected = await tenant.Client.PostAsJsonAsync($"/api/v1/connections/{id}/reconnect",
                new { credentials = new { username = JiraSystem.SiteEmail, password = newToken } });
            (await reconnected.Content.ReadAsStringAsync()).ShouldNotContain(newToken);
            reconnected.StatusCode.ShouldBe(HttpStatusCode.OK);
            (await (await tenant.Client.PostAsync($"/api/v1/connections/{id}/test", null)).ShouldBeJsonAsync(HttpStatusCode.OK))
                .GetProperty("result").GetString().ShouldBe("succeeded");
        }
        finally
        {
            (await system.JiraControl.PostAsJsonAsync("/_fake/auth/basic-users",
                new { username = JiraSystem.SiteEmail, password = JiraSystem.SiteApiToken, account = JiraSystem.Acme })).EnsureSuccessStatusCode();
        }
    }

    [Theory]
    [InlineData("https://acme.example.com", "settings.site", "host_not_allowed")]
    [InlineData("evil.atlassian.net.example.com", "settings.site", "host_not_allowed")]
    [InlineData("http://acme.atlassian.net", "settings.site", "invalid_url")]
    [InlineData("https://acme.atlassian.net:8443", "settings.site", "invalid_url")]
    [InlineData("https://acme.atlassian.net/rest/api/3", "settings.site", "invalid_site")]
    [InlineData("https://mia:pw@acme.atlassian.net", "settings.site", "invalid_site")]
    [InlineData(null, "settings.site", "required")]
    public async Task A_site_must_be_an_https_atlassian_net_site_root(string? site, string field, string code)
    {
        var tenant = await system.TenantAsync();

        var refused = await CreateAsync(tenant, JiraSystem.SiteApiToken, site);

        refused.Status.ShouldBe(HttpStatusCode.UnprocessableEntity, refused.Body);
        var detail = JsonDocument.Parse(refused.Body).RootElement.GetProperty("error").GetProperty("details").EnumerateArray().ShouldHaveSingleItem();
        (detail.GetProperty("field").GetString(), detail.GetProperty("code").GetString()).ShouldBe((field, code));
    }

    [Fact]
    public async Task An_oauth_jira_connection_still_takes_no_settings_and_a_basic_one_only_the_site()
    {
        var tenant = await system.TenantAsync();
        var oauth = await tenant.Client.PostAsJsonAsync("/api/v1/connections", new { provider = "jira", settings = new { site = "acme.atlassian.net" } });
        (await oauth.ShouldBeJsonAsync(HttpStatusCode.UnprocessableEntity)).GetProperty("error").GetProperty("details").EnumerateArray()
            .ShouldContain(d => d.GetProperty("code").GetString() == "settings_not_supported");

        var extra = await tenant.Client.PostAsJsonAsync("/api/v1/connections", new
        {
            provider = "jira", auth_kind = "basic", credentials = new { username = JiraSystem.SiteEmail, password = JiraSystem.SiteApiToken },
            settings = new { site = Site, health_check_path = "/serverInfo" },
        });
        (await extra.ShouldBeJsonAsync(HttpStatusCode.UnprocessableEntity)).GetProperty("error").GetProperty("details").EnumerateArray()
            .ShouldContain(d => d.GetProperty("field").GetString() == "settings" && d.GetProperty("code").GetString() == "not_applicable");
    }

    private static async Task<(HttpStatusCode Status, string Body)> CreateAsync(TenantWithKey tenant, string token, string? site)
    {
        using var answer = await tenant.Client.PostAsJsonAsync("/api/v1/connections", new
        {
            provider = "jira", auth_kind = "basic", display_name = "Acme Jira (token)",
            credentials = new { username = JiraSystem.SiteEmail, password = token },
            settings = site is null ? null : new { site },
        });
        return (answer.StatusCode, await answer.Content.ReadAsStringAsync());
    }
}
