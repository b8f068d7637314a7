using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Integrations.IntegrationTests.Api;
using Shouldly;

namespace Integrations.IntegrationTests.OAuth;

/// <summary>
/// The public marketplace index (issue 19): categories chosen at registration and by PATCH, the
/// HTML page with search, category links and cursor pages, and what it refuses or never shows.
/// </summary>
public sealed partial class MarketplaceIndexTests(OAuthSystem system) : IClassFixture<OAuthSystem>
{
    private async Task<(Guid Id, string ClientId, Infrastructure.TenantWithKey Developer)> AppAsync(string name, string description, string? category, bool approve = true)
    {
        var developer = await system.CreateTenantWithKeyAsync();
        var registered = await (await developer.Client.PostAsJsonAsync("/api/v1/apps", new
        {
            name, description, redirect_uris = new[] { "https://app.example/cb" }, scopes = new[] { "events:read" }, client_type = "public", category,
        })).ShouldBeJsonAsync(HttpStatusCode.Created);
        var app = registered.GetProperty("app");
        var id = app.GetProperty("id").GetGuid();
        if (approve)
        {
            (await developer.Client.PostAsync($"/api/v1/apps/{id}/submit", null)).StatusCode.ShouldBe(HttpStatusCode.OK);
            (await system.Admin.PostAsync($"/api/v1/admin/apps/{id}/approve", null)).StatusCode.ShouldBe(HttpStatusCode.OK);
        }
        return (id, app.GetProperty("client_id").GetString()!, developer);
    }

    private async Task<string> PageAsync(string url, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var response = await system.Client().GetAsync(url);
        response.StatusCode.ShouldBe(expected);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/html");
        return await response.Content.ReadAsStringAsync();
    }

    private static List<string> Listed(string html) => [.. AppLink().Matches(html).Select(m => m.Groups[1].Value)];

    [GeneratedRegex("<a href=\"/marketplace/apps/([^\"]+)\">")]
    private static partial Regex AppLink();

    [Fact]
    public async Task An_app_is_in_the_category_its_developer_chose_other_by_default_and_an_unknown_one_is_refused()
    {
        var (id, _, developer) = await AppAsync("Chooser", "Picks a category.", null, approve: false);
        var app = await (await developer.Client.GetAsync($"/api/v1/apps/{id}")).ShouldBeJsonAsync(HttpStatusCode.OK);
        app.GetProperty("category").GetString().ShouldBe("other");

        var moved = await (await developer.Client.PatchAsJsonAsync($"/api/v1/apps/{id}", new { category = "crm" })).ShouldBeJsonAsync(HttpStatusCode.OK);
        moved.GetProperty("category").GetString().ShouldBe("crm");

        var refused = await (await developer.Client.PatchAsJsonAsync($"/api/v1/apps/{id}", new { category = "games", name = "Renamed" }))
            .ShouldBeErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
        refused.GetProperty("details").EnumerateArray().Select(d => (d.GetProperty("field").GetString(), d.GetProperty("code").GetString()))
            .ShouldBe([("category", "invalid_category")]);
        var unchanged = await (await developer.Client.GetAsync($"/api/v1/apps/{id}")).ShouldBeJsonAsync(HttpStatusCode.OK);
        (unchanged.GetProperty("category").GetString(), unchanged.GetProperty("name").GetString()).ShouldBe(("crm", "Chooser"), "a refused patch changes nothing");

        await (await developer.Client.PostAsJsonAsync("/api/v1/apps", new
        {
            name = "Bad", redirect_uris = new[] { "https://app.example/cb" }, scopes = new[] { "events:read" }, client_type = "public", category = "CRM",
        })).ShouldBeErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
    }

    [Fact]
    public async Task The_index_finds_apps_by_text_ignoring_case_and_by_category_and_never_lists_private_ones()
    {
        var token = "zq" + Guid.NewGuid().ToString("N")[..10];
        var (_, crm, _) = await AppAsync($"Contacts <b>{token}</b>", "Keeps contacts in step.", "crm");
        var (_, books, _) = await AppAsync("Ledger Link", $"Posts invoices ({token.ToUpperInvariant()}) to 100% of ledgers.", "accounting");
        var (_, hidden, _) = await AppAsync($"Hidden {token}", "Never approved.", "crm", approve: false);

        var all = await PageAsync($"/marketplace?q={token}");
        Listed(all).ShouldBe([books, crm], ignoreOrder: true);
        all.ShouldNotContain(hidden);
        all.ShouldNotContain($"<b>{token}</b>", Case.Insensitive, "names are HTML-encoded");
        all.ShouldContain($"&lt;b&gt;{token}&lt;/b&gt;");

        Listed(await PageAsync($"/marketplace?q={token}&category=crm")).ShouldBe([crm]);
        Listed(await PageAsync($"/marketplace?q={token}&category=analytics")).ShouldBeEmpty();
        (await PageAsync($"/marketplace?q={token}&category=analytics")).ShouldContain("id=\"no-apps\"");
        Listed(await PageAsync("/marketplace?q=100%25")).ShouldContain(books, "a percent sign is a literal");
        Listed(await PageAsync("/marketplace?q=%25%25%25%25")).ShouldBeEmpty("LIKE wildcards in the search match themselves");

        var json = await (await system.Client().GetAsync($"/api/v1/marketplace/apps?q={token}&category=accounting")).ShouldBeJsonAsync(HttpStatusCode.OK);
        json.GetProperty("data").EnumerateArray().Select(a => (a.GetProperty("client_id").GetString(), a.GetProperty("category").GetString()))
            .ShouldBe([(books, "accounting")]);
    }

    [Fact]
    public async Task Bad_parameters_get_the_page_with_an_error_and_a_crafted_cursor_is_refused_too()
    {
        (await PageAsync("/marketplace?category=games", HttpStatusCode.BadRequest)).ShouldContain("Unknown category &#39;games&#39;");
        (await PageAsync($"/marketplace?q={new string('x', 101)}", HttpStatusCode.BadRequest)).ShouldContain("id=\"error\"");
        (await PageAsync("/marketplace?cursor=not-a-cursor", HttpStatusCode.BadRequest)).ShouldContain("id=\"error\"");
        await (await system.Client().GetAsync("/api/v1/marketplace/apps?category=games")).ShouldBeErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
    }

    [Fact]
    public async Task The_index_pages_with_a_cursor_that_keeps_the_search()
    {
        var token = "pg" + Guid.NewGuid().ToString("N")[..10];
        var apps = new List<string>();
        for (var i = 0; i < 26; i++) apps.Add((await AppAsync($"Paged {i:00} {token}", "One of many.", "productivity")).ClientId);

        var first = await PageAsync($"/marketplace?q={token}&category=productivity");
        Listed(first).Count.ShouldBe(24);
        var next = NextLink().Match(first);
        next.Success.ShouldBeTrue("a link to the next page");
        var second = await PageAsync(WebUtility.HtmlDecode(next.Groups[1].Value));
        Listed(second).Count.ShouldBe(2);
        NextLink().IsMatch(second).ShouldBeFalse("the last page has no next link");
        Listed(first).Concat(Listed(second)).ShouldBe(apps, ignoreOrder: true);
        Listed(first).Intersect(Listed(second)).ShouldBeEmpty();
    }

    [GeneratedRegex("<a id=\"next-page\" href=\"([^\"]+)\">")]
    private static partial Regex NextLink();
}
