using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Integrations.IntegrationTests.Api;
using Shouldly;

namespace Integrations.IntegrationTests.OAuth;

/// <summary>
/// An app's marketplace listing (issue 5): screenshots at registration and by PATCH, the public
/// detail page in HTML and JSON, and what a patch may not do (widen scopes, take non-https URLs).
/// </summary>
public sealed class AppListingTests(OAuthSystem system) : IClassFixture<OAuthSystem>
{
    private const string Shot1 = "https://cdn.example/shots/1.png?size=large&v=2";
    private const string Shot2 = "https://cdn.example/shots/2.png";

    private async Task<(Guid Id, string ClientId, Infrastructure.TenantWithKey Developer)> ApprovedAppAsync(string name, string[] screenshots)
    {
        var developer = await system.CreateTenantWithKeyAsync();
        var registered = await (await developer.Client.PostAsJsonAsync("/api/v1/apps", new
        {
            name, description = "Syncs <b>invoices</b>.", redirect_uris = new[] { "https://app.example/cb" }, scopes = new[] { "events:read" },
            client_type = "public", screenshot_urls = screenshots,
        })).ShouldBeJsonAsync(HttpStatusCode.Created);
        var app = registered.GetProperty("app");
        app.GetProperty("screenshot_urls").EnumerateArray().Select(e => e.GetString()).ShouldBe(screenshots);
        var id = app.GetProperty("id").GetGuid();
        (await developer.Client.PostAsync($"/api/v1/apps/{id}/submit", null)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await system.Admin.PostAsync($"/api/v1/admin/apps/{id}/approve", null)).StatusCode.ShouldBe(HttpStatusCode.OK);
        return (id, app.GetProperty("client_id").GetString()!, developer);
    }

    [Fact]
    public async Task The_detail_page_shows_the_screenshots_escaped_with_alt_text_and_the_json_carries_them()
    {
        var (_, clientId, _) = await ApprovedAppAsync("Sync \"Pro\" <x>", [Shot1, Shot2]);

        var page = await system.Client().GetAsync($"/marketplace/apps/{clientId}");
        page.StatusCode.ShouldBe(HttpStatusCode.OK);
        page.Content.Headers.ContentType!.MediaType.ShouldBe("text/html");
        var html = await page.Content.ReadAsStringAsync();
        html.ShouldContain("<img src=\"https://cdn.example/shots/1.png?size=large&amp;v=2\" alt=\"Screenshot 1 of Sync &quot;Pro&quot; &lt;x&gt;\"");
        html.ShouldContain("<img src=\"https://cdn.example/shots/2.png\" alt=\"Screenshot 2 of Sync &quot;Pro&quot; &lt;x&gt;\"");
        html.ShouldNotContain("<x>");
        html.ShouldNotContain("<b>invoices</b>");
        html.ShouldContain("events:read");

        var json = await (await system.Client().GetAsync($"/api/v1/marketplace/apps/{clientId}")).ShouldBeJsonAsync(HttpStatusCode.OK);
        json.GetProperty("client_id").GetString().ShouldBe(clientId);
        json.GetProperty("screenshot_urls").EnumerateArray().Select(e => e.GetString()).ShouldBe([Shot1, Shot2]);
        json.GetProperty("permissions")[0].GetProperty("name").GetString().ShouldBe("events:read");
        using var asJson = new HttpRequestMessage(HttpMethod.Get, $"/marketplace/apps/{clientId}") { Headers = { { "Accept", "application/json" } } };
        var negotiated = await (await system.Client().SendAsync(asJson)).ShouldBeJsonAsync(HttpStatusCode.OK);
        negotiated.GetRawText().ShouldBe(json.GetRawText(), "the page's address answers JSON to a client that asks for it");

        var listed = await (await system.Client().GetAsync("/api/v1/marketplace/apps?fields=client_id,screenshot_urls&limit=100")).ShouldBeJsonAsync(HttpStatusCode.OK);
        listed.GetProperty("data").EnumerateArray().Single(a => a.GetProperty("client_id").GetString() == clientId)
            .GetProperty("screenshot_urls").GetArrayLength().ShouldBe(2);
    }

    [Fact]
    public async Task An_app_not_in_the_marketplace_has_no_public_page()
    {
        var developer = await system.CreateTenantWithKeyAsync();
        var app = await new OAuthHarness(system).RegisterAppAsync(developer);

        (await system.Client().GetAsync($"/marketplace/apps/{app.ClientId}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        await (await system.Client().GetAsync($"/api/v1/marketplace/apps/{app.ClientId}")).ShouldBeErrorAsync(HttpStatusCode.NotFound, "app_not_found");
    }

    [Fact]
    public async Task Patch_changes_the_listing_and_null_removes_optional_fields()
    {
        var (id, clientId, developer) = await ApprovedAppAsync("Patchable", [Shot1]);

        var patched = await (await developer.Client.PatchAsJsonAsync($"/api/v1/apps/{id}", new
        {
            name = "Patched", homepage_url = "https://patched.example", screenshot_urls = new[] { Shot2, Shot1 }, redirect_uris = new[] { "https://app.example/cb2" },
        })).ShouldBeJsonAsync(HttpStatusCode.OK);
        patched.GetProperty("name").GetString().ShouldBe("Patched");
        patched.GetProperty("description").GetString().ShouldBe("Syncs <b>invoices</b>.", "absent fields stay");
        patched.GetProperty("screenshot_urls").EnumerateArray().Select(e => e.GetString()).ShouldBe([Shot2, Shot1]);
        patched.GetProperty("redirect_uris").EnumerateArray().Select(e => e.GetString()).ShouldBe(["https://app.example/cb2"]);

        var stored = await (await developer.Client.GetAsync($"/api/v1/apps/{id}")).ShouldBeJsonAsync(HttpStatusCode.OK);
        stored.GetProperty("homepage_url").GetString().ShouldBe("https://patched.example");
        var json = await (await system.Client().GetAsync($"/api/v1/marketplace/apps/{clientId}")).ShouldBeJsonAsync(HttpStatusCode.OK);
        json.GetProperty("name").GetString().ShouldBe("Patched");

        var cleared = await (await developer.Client.PatchAsync($"/api/v1/apps/{id}",
            JsonContent.Create(JsonDocument.Parse("""{"homepage_url": null, "screenshot_urls": null}""").RootElement))).ShouldBeJsonAsync(HttpStatusCode.OK);
        cleared.GetProperty("homepage_url").ValueKind.ShouldBe(JsonValueKind.Null);
        cleared.GetProperty("screenshot_urls").GetArrayLength().ShouldBe(0);
        (await system.ScalarAsync<string[]>("select screenshot_urls from oauth_apps where id = @id", ("id", id))).ShouldBeEmpty();
    }

    [Fact]
    public async Task Non_https_or_too_many_screenshots_are_refused_and_nothing_changes()
    {
        var (id, _, developer) = await ApprovedAppAsync("Strict", [Shot1]);

        var error = await (await developer.Client.PatchAsJsonAsync($"/api/v1/apps/{id}", new { name = "Changed", screenshot_urls = new[] { Shot2, "http://cdn.example/3.png" } }))
            .ShouldBeErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
        error.GetProperty("details").EnumerateArray().Select(d => (d.GetProperty("field").GetString(), d.GetProperty("code").GetString()))
            .ShouldBe([("screenshot_urls[1]", "invalid_url")]);
        await (await developer.Client.PatchAsJsonAsync($"/api/v1/apps/{id}", new { screenshot_urls = Enumerable.Range(0, 9).Select(i => $"https://cdn.example/{i}.png") }))
            .ShouldBeErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
        await (await developer.Client.PatchAsJsonAsync($"/api/v1/apps/{id}", new { screenshot_urls = new[] { "javascript:alert(1)" } }))
            .ShouldBeErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");

        var stored = await (await developer.Client.GetAsync($"/api/v1/apps/{id}")).ShouldBeJsonAsync(HttpStatusCode.OK);
        stored.GetProperty("name").GetString().ShouldBe("Strict");
        stored.GetProperty("screenshot_urls").EnumerateArray().Select(e => e.GetString()).ShouldBe([Shot1]);

        var registration = await developer.Client.PostAsJsonAsync("/api/v1/apps", new
        {
            name = "Bad shots", redirect_uris = new[] { "https://app.example/cb" }, scopes = new[] { "events:read" }, client_type = "public",
            screenshot_urls = new[] { "http://cdn.example/1.png" },
        });
        await registration.ShouldBeErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
        (await system.ScalarAsync<long>("select count(*) from oauth_apps where name = 'Bad shots'")).ShouldBe(0);
    }

    [Fact]
    public async Task Scopes_cannot_be_widened_by_patch_and_another_organisations_app_is_not_found()
    {
        var (id, _, developer) = await ApprovedAppAsync("Narrow", []);

        var error = await (await developer.Client.PatchAsJsonAsync($"/api/v1/apps/{id}", new { scopes = new[] { "events:read", "members:write" } }))
            .ShouldBeErrorAsync(HttpStatusCode.BadRequest, "invalid_json");
        error.GetRawText().ShouldContain("scopes");
        (await system.ScalarAsync<string[]>("select scopes from oauth_apps where id = @id", ("id", id))).ShouldBe(["events:read"]);

        var other = await system.CreateTenantWithKeyAsync();
        await (await other.Client.PatchAsJsonAsync($"/api/v1/apps/{id}", new { name = "Hijacked" })).ShouldBeErrorAsync(HttpStatusCode.NotFound, "app_not_found");
        (await system.ScalarAsync<string>("select name from oauth_apps where id = @id", ("id", id))).ShouldBe("Narrow");
    }
}
