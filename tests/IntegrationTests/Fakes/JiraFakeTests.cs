using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Integrations.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.WebUtilities;
using Shouldly;

namespace Integrations.IntegrationTests.Fakes;

/// <summary>
/// The Jira fake follows Atlassian's documentation before any platform test relies on it: 3LO with
/// the client secret in the body and refresh tokens that rotate on every use (the replaced one is
/// refused), tokens bound to their site's gateway address, and Jira's error shape for issues it refuses.
/// </summary>
public sealed class JiraFakeTests : IAsyncLifetime
{
    private const string Site = "11111111-2222-3333-4444-555555555555";
    private const string Redirect = "https://platform.example/connect/callback/jira";
    private FakeProcess _jira = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _jira = await FakeProcess.StartAsync("Jira", "--Client:Id=app", "--Client:Secret=app-secret", $"--Accounts={Site}=acme", $"--Auth:Users=mia@acme.example:api-token-1={Site}");
        _client = _jira.CreateClient();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _jira.DisposeAsync();
    }

    [Fact]
    public async Task A_refresh_token_works_once_and_the_rotated_one_replaces_it()
    {
        var first = await TokensAsync();

        var refreshed = await TokenAsync(new() { ["grant_type"] = "refresh_token", ["client_id"] = "app", ["client_secret"] = "app-secret", ["refresh_token"] = first.Refresh });
        var reused = await TokenAsync(new() { ["grant_type"] = "refresh_token", ["client_id"] = "app", ["client_secret"] = "app-secret", ["refresh_token"] = first.Refresh });

        refreshed.StatusCode.ShouldBe(HttpStatusCode.OK);
        var rotated = (await refreshed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("refresh_token").GetString();
        rotated.ShouldNotBe(first.Refresh);
        reused.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await reused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString().ShouldBe("invalid_grant");
    }

    [Fact]
    public async Task Client_authentication_by_http_basic_is_not_what_atlassian_takes()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/oauth/token")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "authorization_code", ["code"] = "x", ["redirect_uri"] = Redirect }),
        };
        request.Headers.Authorization = new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("app:app-secret")));

        using var answer = await _client.SendAsync(request);

        answer.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_token_reaches_its_own_sites_api_and_accessible_resources_names_the_site()
    {
        var tokens = await TokensAsync();

        var sites = await SendAsync(HttpMethod.Get, "/oauth/token/accessible-resources", tokens.Access);
        var own = await SendAsync(HttpMethod.Get, $"/ex/jira/{Site}/rest/api/3/project/search", tokens.Access);
        var other = await SendAsync(HttpMethod.Get, "/ex/jira/99999999-0000-0000-0000-000000000000/rest/api/3/project/search", tokens.Access);
        var none = await SendAsync(HttpMethod.Get, $"/ex/jira/{Site}/rest/api/3/project/search", null);

        var site = JsonDocument.Parse(sites.Body).RootElement.EnumerateArray().ShouldHaveSingleItem();
        site.GetProperty("id").GetString().ShouldBe(Site);
        site.GetProperty("url").GetString().ShouldBe("https://acme.atlassian.net");
        site.TryGetProperty("avatarUrl", out _).ShouldBeTrue("Atlassian's camelCase names");
        own.Status.ShouldBe(HttpStatusCode.OK);
        JsonDocument.Parse(own.Body).RootElement.GetProperty("isLast").GetBoolean().ShouldBeTrue();
        other.Status.ShouldBe(HttpStatusCode.Unauthorized);
        none.Status.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Theory]
    [InlineData("""{"fields":{"project":{"key":"OPS"},"issuetype":{"name":"Task"},"summary":"x","description":"plain text"}}""", "description")]
    [InlineData("""{"fields":{"project":{"key":"OPS"},"issuetype":{"name":"Task"},"summary":"x","description":{"type":"doc","version":1,"content":[{"type":"paragraph","content":[{"type":"text","text":""}]}]}}}""", "description")]
    [InlineData("""{"fields":{"project":{"key":"OPS"},"issuetype":{"name":"Epic"},"summary":"x"}}""", "issuetype")]
    [InlineData("""{"fields":{"project":{"key":"OPS"},"issuetype":{"name":"Task"},"summary":"a\nb"}}""", "summary")]
    [InlineData("""{"fields":{"project":{"key":"OPS"},"issuetype":{"name":"Task"},"summary":"x","labels":["has space"]}}""", "labels")]
    [InlineData("""{"fields":{"project":{"key":"NOPE"},"issuetype":{"name":"Task"},"summary":"x"}}""", "project")]
    public async Task An_issue_jira_would_refuse_is_a_400_in_jiras_error_shape(string body, string field)
    {
        var tokens = await TokensAsync();

        var answer = await SendAsync(HttpMethod.Post, $"/ex/jira/{Site}/rest/api/3/issue", tokens.Access, body);

        answer.Status.ShouldBe(HttpStatusCode.BadRequest);
        var error = JsonDocument.Parse(answer.Body).RootElement;
        error.GetProperty("errorMessages").ValueKind.ShouldBe(JsonValueKind.Array);
        error.GetProperty("errors").TryGetProperty(field, out _).ShouldBeTrue(answer.Body);
    }

    [Fact]
    public async Task A_valid_issue_is_created_with_a_key_of_its_project()
    {
        var tokens = await TokensAsync();

        var answer = await SendAsync(HttpMethod.Post, $"/ex/jira/{Site}/rest/api/3/issue", tokens.Access,
            """{"fields":{"project":{"key":"SUP"},"issuetype":{"name":"Bug"},"summary":"x","description":{"type":"doc","version":1,"content":[]}}}""");

        answer.Status.ShouldBe(HttpStatusCode.Created);
        JsonDocument.Parse(answer.Body).RootElement.GetProperty("key").GetString().ShouldBe("SUP-1");
    }

    [Fact]
    public async Task Transitions_are_looked_up_from_the_issues_status_and_a_transition_not_available_is_refused()
    {
        var tokens = await TokensAsync();
        var key = await CreateIssueAsync(tokens.Access);

        var listed = await SendAsync(HttpMethod.Get, $"/ex/jira/{Site}/rest/api/3/issue/{key}/transitions", tokens.Access);
        var done = await SendAsync(HttpMethod.Post, $"/ex/jira/{Site}/rest/api/3/issue/{key}/transitions", tokens.Access, """{"transition":{"id":"31"}}""");
        var again = await SendAsync(HttpMethod.Post, $"/ex/jira/{Site}/rest/api/3/issue/{key}/transitions", tokens.Access, """{"transition":{"id":"31"}}""");
        var issue = await SendAsync(HttpMethod.Get, $"/ex/jira/{Site}/rest/api/3/issue/{key}", tokens.Access);

        JsonDocument.Parse(listed.Body).RootElement.GetProperty("transitions").EnumerateArray().Select(t => t.GetProperty("to").GetProperty("name").GetString())
            .ShouldBe(["In Progress", "Done"], "every status but the current one (To Do)");
        done.Status.ShouldBe(HttpStatusCode.NoContent);
        again.Status.ShouldBe(HttpStatusCode.BadRequest, "Done is not reachable from Done");
        JsonDocument.Parse(issue.Body).RootElement.GetProperty("fields").GetProperty("status").GetProperty("name").GetString().ShouldBe("Done");
    }

    /// <summary>"Get issue": <c>fields</c> returns only the fields named, <c>expand=transitions</c> adds the transitions available now.</summary>
    [Fact]
    public async Task Get_issue_returns_the_fields_asked_for_and_with_expand_transitions_the_transitions_available()
    {
        var tokens = await TokensAsync();
        var key = await CreateIssueAsync(tokens.Access);

        var plain = JsonDocument.Parse((await SendAsync(HttpMethod.Get, $"/ex/jira/{Site}/rest/api/3/issue/{key}", tokens.Access)).Body).RootElement;
        var expanded = JsonDocument.Parse((await SendAsync(HttpMethod.Get, $"/ex/jira/{Site}/rest/api/3/issue/{key}?fields=status&expand=transitions", tokens.Access)).Body).RootElement;
        await SendAsync(HttpMethod.Post, $"/ex/jira/{Site}/rest/api/3/issue/{key}/transitions", tokens.Access, """{"transition":{"id":"21"}}""");
        var moved = JsonDocument.Parse((await SendAsync(HttpMethod.Get, $"/ex/jira/{Site}/rest/api/3/issue/{key}?expand=transitions&fields=status,summary", tokens.Access)).Body).RootElement;

        plain.TryGetProperty("transitions", out _).ShouldBeFalse("transitions only when expanded");
        plain.GetProperty("fields").GetProperty("summary").GetString().ShouldBe("x", "all fields by default");
        expanded.GetProperty("fields").EnumerateObject().Select(f => f.Name).ShouldBe(["status"]);
        expanded.GetProperty("fields").GetProperty("status").GetProperty("name").GetString().ShouldBe("To Do");
        var transition = expanded.GetProperty("transitions").EnumerateArray().First();
        transition.GetProperty("id").GetString().ShouldBe("21");
        transition.GetProperty("to").GetProperty("name").GetString().ShouldBe("In Progress");
        transition.GetProperty("isAvailable").GetBoolean().ShouldBeTrue();
        moved.GetProperty("fields").EnumerateObject().Select(f => f.Name).OrderBy(n => n).ShouldBe(["status", "summary"]);
        moved.GetProperty("transitions").EnumerateArray().Select(t => t.GetProperty("to").GetProperty("name").GetString()).ShouldBe(["To Do", "Done"]);
    }

    [Fact]
    public async Task Dynamic_webhooks_deliver_issue_updated_for_matching_changes_and_expire_after_30_days_unless_refreshed()
    {
        await using var sink = await Webhooks.Delivery.WebhookSink.StartAsync();
        var path = sink.NewPath("jira");
        var tokens = await TokensAsync();
        var key = await CreateIssueAsync(tokens.Access);
        var registered = await SendAsync(HttpMethod.Post, $"/ex/jira/{Site}/rest/api/3/webhook", tokens.Access,
            JsonSerializer.Serialize(new { url = sink.Url(path), webhooks = new[] { new { events = new[] { "jira:issue_updated" }, jqlFilter = "project = OPS" } } }));
        var other = await SendAsync(HttpMethod.Post, $"/ex/jira/{Site}/rest/api/3/webhook", tokens.Access,
            JsonSerializer.Serialize(new { url = sink.Url(path), webhooks = new[] { new { events = new[] { "jira:issue_updated" }, jqlFilter = "project = SUP" } } }));
        var id = JsonDocument.Parse(registered.Body).RootElement.GetProperty("webhookRegistrationResult")[0].GetProperty("createdWebhookId").GetInt64();

        (await SendAsync(HttpMethod.Put, $"/ex/jira/{Site}/rest/api/3/issue/{key}", tokens.Access, """{"fields":{"summary":"renamed"}}""")).Status.ShouldBe(HttpStatusCode.NoContent);

        var delivery = (await sink.WaitForAsync(path, 1, TimeSpan.FromSeconds(10))).ShouldHaveSingleItem("only the webhook whose JQL matches the issue's project");
        var body = JsonDocument.Parse(delivery.Body).RootElement;
        body.GetProperty("webhookEvent").GetString().ShouldBe("jira:issue_updated");
        body.GetProperty("issue").GetProperty("key").GetString().ShouldBe(key);
        body.GetProperty("changelog").GetProperty("items")[0].GetProperty("field").GetString().ShouldBe("summary");
        body.GetProperty("matchedWebhookIds").EnumerateArray().Select(i => i.GetInt64()).ShouldBe([id]);
        // Signed as for OAuth 2.0 apps: a bearer JWT, HS256 under the client secret.
        delivery.Headers["authorization"].ShouldStartWith("Bearer ");
        var jwt = delivery.Headers["authorization"][7..].Split('.');
        jwt.Length.ShouldBe(3);
        static byte[] Unpad(string part) => Convert.FromBase64String(part.Replace('-', '+').Replace('_', '/').PadRight(part.Length + (4 - part.Length % 4) % 4, '='));
        JsonDocument.Parse(Unpad(jwt[0])).RootElement.GetProperty("alg").GetString().ShouldBe("HS256");
        JsonDocument.Parse(Unpad(jwt[1])).RootElement.GetProperty("exp").GetInt64().ShouldBeGreaterThan(DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        Unpad(jwt[2]).ShouldBe(System.Security.Cryptography.HMACSHA256.HashData(Encoding.UTF8.GetBytes("app-secret"), Encoding.ASCII.GetBytes(jwt[0] + "." + jwt[1])));

        await _jira.Control.AdvanceClockAsync(TimeSpan.FromDays(20));
        tokens = await TokensAsync(); // the access token expired meanwhile
        var refreshed = await SendAsync(HttpMethod.Put, $"/ex/jira/{Site}/rest/api/3/webhook/refresh", tokens.Access, $$"""{"webhookIds":[{{id}}]}""");
        refreshed.Status.ShouldBe(HttpStatusCode.OK);
        await _jira.Control.AdvanceClockAsync(TimeSpan.FromDays(15));
        tokens = await TokensAsync();
        var left = JsonDocument.Parse((await SendAsync(HttpMethod.Get, $"/ex/jira/{Site}/rest/api/3/webhook", tokens.Access)).Body).RootElement;
        left.GetProperty("values").EnumerateArray().Select(v => v.GetProperty("id").GetInt64()).ShouldBe([id], "the other one expired 30 days after it was registered");
        other.Status.ShouldBe(HttpStatusCode.OK);
        (await SendAsync(HttpMethod.Delete, $"/ex/jira/{Site}/rest/api/3/webhook", tokens.Access, $$"""{"webhookIds":[{{id}}]}""")).Status.ShouldBe(HttpStatusCode.Accepted);
        JsonDocument.Parse((await SendAsync(HttpMethod.Get, $"/ex/jira/{Site}/rest/api/3/webhook", tokens.Access)).Body).RootElement.GetProperty("total").GetInt32().ShouldBe(0);
    }

    [Fact]
    public async Task Changelog_items_carry_ids_and_machine_values_in_to_and_the_displayed_text_in_to_string_as_jiras_do()
    {
        var tokens = await TokensAsync();
        var key = await CreateIssueAsync(tokens.Access);
        // Nobody listens at this URL: the fake keeps what it sent either way.
        (await SendAsync(HttpMethod.Post, $"/ex/jira/{Site}/rest/api/3/webhook", tokens.Access,
            """{"url":"http://127.0.0.1:9/nobody","webhooks":[{"events":["jira:issue_updated"],"jqlFilter":"project = OPS"}]}""")).Status.ShouldBe(HttpStatusCode.OK);

        (await SendAsync(HttpMethod.Put, $"/ex/jira/{Site}/rest/api/3/issue/{key}", tokens.Access, """
            {"fields":{"duedate":"2026-12-31","priority":{"name":"High"},"assignee":{"accountId":"557058:mia"},"customfield_10010":4200,"labels":["a","b"]}}
            """)).Status.ShouldBe(HttpStatusCode.NoContent);

        var sent = (await _client.GetFromJsonAsync<JsonElement>("/_fake/jira/webhooks/sent")).GetProperty("data").EnumerateArray().ShouldHaveSingleItem();
        var items = sent.GetProperty("changelog").GetProperty("items").EnumerateArray().ToDictionary(i => i.GetProperty("fieldId").GetString()!);
        static string? Member(JsonElement item, string name) => item.GetProperty(name).ValueKind == JsonValueKind.Null ? null : item.GetProperty(name).GetString();
        (Member(items["duedate"], "to"), Member(items["duedate"], "toString")).ShouldBe(("2026-12-31", "2026-12-31 00:00:00.0"));
        (Member(items["duedate"], "from"), Member(items["duedate"], "fromString")).ShouldBe((null, null), "the issue had no due date");
        Member(items["priority"], "toString").ShouldBe("High");
        Member(items["priority"], "to").ShouldNotBeNull().ShouldAllBe(c => char.IsAsciiDigit(c), "an option's id");
        Member(items["assignee"], "to").ShouldBe("557058:mia");
        Member(items["assignee"], "toString").ShouldNotBe("557058:mia", "the display name");
        (Member(items["customfield_10010"], "to"), Member(items["customfield_10010"], "toString")).ShouldBe((null, "4200"));
        items["customfield_10010"].GetProperty("fieldtype").GetString().ShouldBe("custom");
        Member(items["labels"], "toString").ShouldBe("a b");
    }

    [Fact]
    public async Task An_api_token_with_its_email_works_as_basic_on_the_sites_own_host_and_nothing_else_does()
    {
        static AuthenticationHeaderValue Basic(string user, string password) => new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
        async Task<(HttpStatusCode Status, string Body)> GetAsync(string path, AuthenticationHeaderValue? auth)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Authorization = auth;
            using var answer = await _client.SendAsync(request);
            return (answer.StatusCode, await answer.Content.ReadAsStringAsync());
        }

        var myself = await GetAsync("/rest/api/3/myself", Basic("mia@acme.example", "api-token-1"));
        myself.Status.ShouldBe(HttpStatusCode.OK);
        JsonDocument.Parse(myself.Body).RootElement.GetProperty("emailAddress").GetString().ShouldBe("mia@acme.example");
        var projects = await GetAsync("/rest/api/3/project/search", Basic("mia@acme.example", "api-token-1"));
        JsonDocument.Parse(projects.Body).RootElement.GetProperty("values")[0].GetProperty("self").GetString()!.ShouldContain("/rest/api/3/project/");

        (await GetAsync("/rest/api/3/myself", Basic("mia@acme.example", "wrong"))).Status.ShouldBe(HttpStatusCode.Unauthorized);
        (await GetAsync("/rest/api/3/myself", null)).Status.ShouldBe(HttpStatusCode.Unauthorized);
        (await GetAsync($"/ex/jira/{Site}/rest/api/3/myself", Basic("mia@acme.example", "api-token-1"))).Status
            .ShouldBe(HttpStatusCode.Unauthorized, "the gateway takes OAuth tokens only");
        var tokens = await TokensAsync();
        (await GetAsync("/rest/api/3/myself", new AuthenticationHeaderValue("Bearer", tokens.Access))).Status
            .ShouldBe(HttpStatusCode.Unauthorized, "a site's own host refuses 3LO tokens");
    }

    private async Task<string> CreateIssueAsync(string token)
    {
        var created = await SendAsync(HttpMethod.Post, $"/ex/jira/{Site}/rest/api/3/issue", token, """{"fields":{"project":{"key":"OPS"},"issuetype":{"name":"Task"},"summary":"x"}}""");
        created.Status.ShouldBe(HttpStatusCode.Created);
        return JsonDocument.Parse(created.Body).RootElement.GetProperty("key").GetString()!;
    }

    private async Task<(string Access, string Refresh)> TokensAsync()
    {
        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = _jira.BaseAddress };
        var authorize = QueryHelpers.AddQueryString("/authorize?audience=api.atlassian.com&prompt=consent", new Dictionary<string, string?>
        {
            ["response_type"] = "code", ["client_id"] = "app", ["redirect_uri"] = Redirect, ["state"] = "s", ["site"] = Site,
            ["scope"] = "read:jira-work write:jira-work offline_access",
        });
        using var approved = await browser.GetAsync(authorize);
        approved.StatusCode.ShouldBe(HttpStatusCode.Found);
        var code = QueryHelpers.ParseQuery(approved.Headers.Location!.Query)["code"].ToString();
        using var token = await TokenAsync(new() { ["grant_type"] = "authorization_code", ["client_id"] = "app", ["client_secret"] = "app-secret", ["code"] = code, ["redirect_uri"] = Redirect });
        token.StatusCode.ShouldBe(HttpStatusCode.OK);
        var json = await token.Content.ReadFromJsonAsync<JsonElement>();
        return (json.GetProperty("access_token").GetString()!, json.GetProperty("refresh_token").GetString()!);
    }

    private Task<HttpResponseMessage> TokenAsync(Dictionary<string, string> form) => _client.PostAsync("/oauth/token", new FormUrlEncodedContent(form));

    private async Task<(HttpStatusCode Status, string Body)> SendAsync(HttpMethod method, string path, string? token, string? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (token is not null) request.Headers.Authorization = new("Bearer", token);
        if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        using var answer = await _client.SendAsync(request);
        return (answer.StatusCode, await answer.Content.ReadAsStringAsync());
    }
}
