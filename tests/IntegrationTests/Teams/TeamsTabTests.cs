using System.Buffers.Binary;
using System.IO.Compression;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Integrations.IntegrationTests.Api;
using Microsoft.AspNetCore.WebUtilities;
using Shouldly;

namespace Integrations.IntegrationTests.Teams;

/// <summary>
/// The Teams app package a tenant downloads (manifest with its bot and signed tab link, the two
/// icons) and the tab page the link opens: framable only by Teams' hosts, showing only that tenant's
/// connections, and refused when the link is tampered with or has expired.
/// </summary>
[Collection(TeamsCollection.Name)]
public sealed class TeamsTabTests(TeamsSystem system) : IAsyncLifetime
{
    public Task InitializeAsync() => system.ResetTeamsAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task The_app_package_holds_a_manifest_naming_the_bot_and_the_signed_tab_and_both_icons()
    {
        var tenant = await system.TenantAsync();
        var id = await system.ConnectBotAsync(tenant.Client);

        using var response = await tenant.Client.GetAsync($"/api/v1/connections/{id}/teams/app-package");

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/zip");
        using var zip = new ZipArchive(new MemoryStream(await response.Content.ReadAsByteArrayAsync()));
        zip.Entries.Select(e => e.FullName).ShouldBe(["manifest.json", "color.png", "outline.png"], ignoreOrder: true);
        var manifest = JsonDocument.Parse(zip.GetEntry("manifest.json")!.Open()).RootElement;
        manifest.GetProperty("manifestVersion").GetString().ShouldBe("1.19");
        manifest.GetProperty("id").GetString().ShouldBe(TeamsSystem.BotAppId);
        manifest.GetProperty("bots")[0].GetProperty("botId").GetString().ShouldBe(TeamsSystem.BotAppId);
        manifest.GetProperty("icons").GetProperty("color").GetString().ShouldBe("color.png");
        var tab = manifest.GetProperty("staticTabs")[0].GetProperty("contentUrl").GetString()!;
        tab.ShouldStartWith(new Uri(system.BaseAddress, "/teams/tab?tenant=" + tenant.TenantId).ToString());
        manifest.GetProperty("validDomains")[0].GetString().ShouldBe(system.BaseAddress.Authority);
        Size(zip, "color.png").ShouldBe((192, 192));
        Size(zip, "outline.png").ShouldBe((32, 32));
    }

    [Fact]
    public async Task The_tab_shows_its_tenants_connections_and_may_be_framed_only_by_teams()
    {
        var tenant = await system.TenantAsync();
        var other = await system.TenantAsync();
        var id = await system.ConnectBotAsync(tenant.Client);
        await system.CreateConnectionAsync(other.Client, new { provider = "teams-workflows", display_name = "Other tenant's channel", credentials = new { api_key = system.WorkflowUrl } });

        using var page = await Anonymous().GetAsync(await TabUrlAsync(tenant.Client, id));

        var html = await page.Content.ReadAsStringAsync();
        page.StatusCode.ShouldBe(HttpStatusCode.OK, html);
        page.Content.Headers.ContentType!.MediaType.ShouldBe("text/html");
        var csp = page.Headers.GetValues("Content-Security-Policy").ShouldHaveSingleItem();
        csp.ShouldContain("frame-ancestors https://teams.microsoft.com https://*.teams.microsoft.com");
        csp.ShouldContain("https://*.cloud.microsoft");
        page.Headers.Contains("X-Frame-Options").ShouldBeFalse("X-Frame-Options would forbid Teams' frame");
        html.ShouldContain("microsoft-teams");
        html.ShouldContain("connected");
        html.ShouldNotContain("Other tenant&#39;s channel");
        html.ShouldNotContain("teams-workflows");
    }

    [Fact]
    public async Task A_tampered_or_expired_link_is_refused()
    {
        var tenant = await system.TenantAsync();
        var other = await system.TenantAsync();
        var id = await system.ConnectBotAsync(tenant.Client);
        var url = await TabUrlAsync(tenant.Client, id);
        var query = QueryHelpers.ParseQuery(new Uri(url).Query);
        var sig = query["sig"].ToString();
        var expires = long.Parse(query["expires"].ToString(), System.Globalization.CultureInfo.InvariantCulture);

        var anotherTenant = url.Replace(tenant.TenantId.ToString(), other.TenantId.ToString(), StringComparison.Ordinal);
        var longer = url.Replace("expires=" + expires, "expires=" + (expires + 86400), StringComparison.Ordinal);
        var otherSig = url.Replace(sig, (sig[0] == 'a' ? "b" : "a") + sig[1..], StringComparison.Ordinal);
        var past = DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeSeconds();
        var expired = $"/teams/tab?tenant={tenant.TenantId}&expires={past}&sig={Sign(tenant.TenantId, past)}";

        foreach (var forged in new[] { anotherTenant, longer, otherSig, "/teams/tab", $"/teams/tab?tenant={tenant.TenantId}&expires={expires}" })
            await (await Anonymous().GetAsync(forged)).ShouldBeErrorAsync(HttpStatusCode.Forbidden, "invalid_link");
        await (await Anonymous().GetAsync(expired)).ShouldBeErrorAsync(HttpStatusCode.Forbidden, "expired_link");
    }

    [Fact]
    public async Task A_workflows_connection_has_no_app_package()
    {
        var tenant = await system.TenantAsync();
        var id = await system.ConnectWorkflowAsync(tenant.Client);

        await (await tenant.Client.GetAsync($"/api/v1/connections/{id}/teams/app-package")).ShouldBeErrorAsync(HttpStatusCode.Conflict, "not_a_teams_bot_connection");
    }

    private HttpClient Anonymous() => new() { BaseAddress = system.BaseAddress };

    private static async Task<string> TabUrlAsync(HttpClient client, Guid connectionId)
    {
        using var response = await client.GetAsync($"/api/v1/connections/{connectionId}/teams/app-package");
        using var zip = new ZipArchive(new MemoryStream(await response.Content.ReadAsByteArrayAsync()));
        return JsonDocument.Parse(zip.GetEntry("manifest.json")!.Open()).RootElement.GetProperty("staticTabs")[0].GetProperty("contentUrl").GetString()!;
    }

    /// <summary>The documented link signature (docs/connectors/teams.md): hex HMAC-SHA256 of teams-tab:{tenant}:{expires} with the tab key.</summary>
    private static string Sign(Guid tenant, long expires) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(TeamsSystem.TabKey), Encoding.UTF8.GetBytes($"teams-tab:{tenant:D}:{expires}")));

    /// <summary>A PNG's width and height from its IHDR chunk, after checking the signature.</summary>
    private static (int Width, int Height) Size(ZipArchive zip, string name)
    {
        using var stream = zip.GetEntry(name)!.Open();
        var head = new byte[24];
        stream.ReadExactly(head);
        head[..8].ShouldBe(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A });
        Encoding.ASCII.GetString(head, 12, 4).ShouldBe("IHDR");
        return (BinaryPrimitives.ReadInt32BigEndian(head.AsSpan(16)), BinaryPrimitives.ReadInt32BigEndian(head.AsSpan(20)));
    }
}
