using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Integrations.Application.OAuth;
using Integrations.IntegrationTests.Api;
using Integrations.IntegrationTests.OAuth;
using Microsoft.AspNetCore.WebUtilities;
using Shouldly;

namespace Integrations.IntegrationTests.Persistence;

/// <summary>
/// The members, apps and grants of the release before (Upgrade/README.md), used after the upgrade as
/// their owners would: the recorded passwords sign in, the recorded consent is remembered, the
/// recorded client secrets authenticate and the recorded refresh tokens refresh; new commands are
/// decided on top of the imported streams. These tests change the data, so they get a database of
/// their own (UpgradeTests reads the upgraded one as it was migrated).
/// </summary>
public class UpgradedMembersAppsAndGrantsTests(UpgradedSystem system) : IClassFixture<UpgradedSystem>
{
    private const string GlobexCallback = "https://insights.globex.example/oauth/callback";

    private readonly OAuthHarness _oauth = new(system);

    private HttpClient Tenant(string label) => system.Client(UpgradeManifest.ApiKey(label));

    private static string StreamId(string prefix, Guid id) => $"{prefix}-{id:N}";

    private Task<string[]> StreamTypesAsync(string streamId) =>
        system.ScalarAsync<string[]>("select array_agg(type order by version) from marten.mt_events where stream_id = @s", ("s", streamId));

    [Fact]
    public async Task A_member_of_the_release_before_signs_in_and_the_recorded_consent_is_remembered()
    {
        var app = UpgradeManifest.App("Globex Insights Sync", GlobexCallback);
        var opsLead = UpgradeManifest.Member("ops.lead@northwind.example");
        using var browser = _oauth.Browser();
        var page = await browser.GetAsync(OAuthHarness.AuthorizeUrl(app, challenge: null, scope: "events:read"));
        var html = await page.Content.ReadAsStringAsync();
        page.StatusCode.ShouldBe(HttpStatusCode.OK, html);
        var (token, request) = OAuthHarness.FormFields(html);

        // The password hash came with MemberImported.
        var signIn = await browser.PostAsync("/oauth/authorize/sign-in", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token, ["request"] = request, ["organisation"] = opsLead.GetProperty("tenant_id").GetString()!,
            ["email"] = opsLead.GetProperty("email").GetString()!, ["password"] = opsLead.GetProperty("password").GetString()!,
        }));
        signIn.StatusCode.ShouldBe(HttpStatusCode.SeeOther, await signIn.Content.ReadAsStringAsync());

        // The grant of the release before (events:read tenant:read) covers the request: no consent page, straight back with a code.
        var remembered = await browser.GetAsync(signIn.Headers.Location!.ToString());
        remembered.StatusCode.ShouldBe(HttpStatusCode.SeeOther, await remembered.Content.ReadAsStringAsync());
        var location = remembered.Headers.Location!.ToString();
        location.ShouldStartWith(app.RedirectUri + "?");
        var code = QueryHelpers.ParseQuery(new Uri(location).Query)["code"].ToString();

        // The recorded client secret authenticates the exchange (its hash came with AppImported).
        var tokens = await _oauth.ExchangeAsync(app, code, verifier: null);
        tokens.Status.ShouldBe(HttpStatusCode.OK, tokens.Body.ToString());
        (await system.Client(tokens.AccessToken).GetAsync("/api/v1/events?limit=1")).StatusCode.ShouldBe(HttpStatusCode.OK);

        // The new consent is a grant stream of its own beside the imported one, with the member as its actor.
        var grantId = await system.ScalarAsync<Guid>("select id from oauth_grants where member_id = @m order by created_at desc limit 1",
            ("m", opsLead.GetProperty("id").GetGuid()));
        (await StreamTypesAsync(StreamId("grant", grantId))).ShouldBe(["GrantCreated"]);
        (await system.ScalarAsync<string>("select headers->>'actor' from marten.mt_events where stream_id = @s", ("s", StreamId("grant", grantId))))
            .ShouldBe($"member:{opsLead.GetProperty("id").GetString()}");
        var installed = (await (await Tenant("A").GetAsync("/api/v1/installed-apps")).ShouldBeJsonAsync(HttpStatusCode.OK)).GetProperty("data").EnumerateArray()
            .Single(a => a.GetProperty("id").GetGuid() == app.Id);
        installed.GetProperty("active_grants").GetInt32().ShouldBe(2);
        DateTimeOffset.Parse(installed.GetProperty("installed_at").GetString()!, System.Globalization.CultureInfo.InvariantCulture)
            .ShouldBe(DateTimeOffset.Parse(UpgradedSystem.Manifest.GetProperty("installed_apps").GetProperty("A")[0].GetProperty("installed_at").GetString()!,
                System.Globalization.CultureInfo.InvariantCulture), "installed when the release before recorded it");
    }

    [Fact]
    public async Task The_recorded_client_secrets_authenticate_and_the_apps_take_new_commands()
    {
        var globex = UpgradeManifest.App("Globex Insights Sync", GlobexCallback);
        var legacy = UpgradeManifest.App("Northwind Legacy Exporter", "https://export.northwind.example/cb");
        var a = UpgradeManifest.TenantId("A");

        // Installed in A by the recorded consent: a client_credentials token for A.
        var credentials = await _oauth.ClientCredentialsAsync(globex, a, "events:read");
        credentials.Status.ShouldBe(HttpStatusCode.OK, credentials.Body.ToString());
        (await system.Client(credentials.AccessToken).GetAsync("/api/v1/events?limit=1")).StatusCode.ShouldBe(HttpStatusCode.OK);
        // Authenticated (else 401), but never installed anywhere.
        (await _oauth.ClientCredentialsAsync(legacy, a)).Error.ShouldBe("unauthorized_client");
        (await _oauth.ClientCredentialsAsync(legacy with { ClientSecret = "cs_wrong" }, a)).Status.ShouldBe(HttpStatusCode.Unauthorized);

        // A rotation decided on the imported stream: the recorded secret stops working, the new one works.
        var rotated = await (await Tenant("A").PostAsync($"/api/v1/apps/{legacy.Id}/rotate-secret", null)).ShouldBeJsonAsync(HttpStatusCode.OK);
        var secret = rotated.GetProperty("client_secret").GetString()!;
        (await _oauth.ClientCredentialsAsync(legacy, a)).Status.ShouldBe(HttpStatusCode.Unauthorized);
        (await _oauth.ClientCredentialsAsync(legacy with { ClientSecret = secret }, a)).Error.ShouldBe("unauthorized_client");

        // The rejected app is submitted again (its reason goes) and approved into the marketplace.
        var submitted = await (await Tenant("A").PostAsync($"/api/v1/apps/{legacy.Id}/submit", null)).ShouldBeJsonAsync(HttpStatusCode.OK);
        submitted.GetProperty("review_status").GetString().ShouldBe("pending");
        submitted.GetProperty("review_reason").ValueKind.ShouldBe(JsonValueKind.Null);
        (await (await system.Admin.PostAsync($"/api/v1/admin/apps/{legacy.Id}/approve", null)).ShouldBeJsonAsync(HttpStatusCode.OK))
            .GetProperty("visibility").GetString().ShouldBe("public");
        var marketplace = await (await system.Client().GetAsync("/api/v1/marketplace/apps")).ShouldBeJsonAsync(HttpStatusCode.OK);
        marketplace.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetGuid()).ShouldContain(legacy.Id);
        (await StreamTypesAsync(StreamId("app", legacy.Id))).ShouldBe(["AppImported", "AppSecretRotated", "AppSubmitted", "AppApproved"]);

        // The owner patches its app; another organisation does not find it.
        var patched = await (await Tenant("B").PatchAsJsonAsync($"/api/v1/apps/{globex.Id}", new { name = "Globex Insights Sync 2" })).ShouldBeJsonAsync(HttpStatusCode.OK);
        patched.GetProperty("name").GetString().ShouldBe("Globex Insights Sync 2");
        patched.GetProperty("screenshot_urls").GetArrayLength().ShouldBe(2, "untouched fields stay as imported");
        await (await Tenant("A").PatchAsJsonAsync($"/api/v1/apps/{globex.Id}", new { name = "Taken over" })).ShouldBeErrorAsync(HttpStatusCode.NotFound, "app_not_found");
    }

    [Fact]
    public async Task The_recorded_refresh_tokens_refresh_and_removing_the_consenting_member_revokes_the_recorded_grant()
    {
        var globex = UpgradeManifest.App("Globex Insights Sync", GlobexCallback);
        var driver = UpgradeManifest.App("Northwind Driver App", "http://127.0.0.1:9104/callback");
        var analyst = UpgradeManifest.Member("analyst@globex.example");
        var driverGrant = await system.ScalarAsync<Guid>("select id from oauth_grants where member_id = @m", ("m", analyst.GetProperty("id").GetGuid()));
        string? driverAccess = null, driverRefresh = null;

        foreach (var (app, grant) in new[] { (globex, UpgradeManifest.Grant("Globex Insights Sync")), (driver, UpgradeManifest.Grant("Northwind Driver App")) })
        {
            var recorded = grant.GetProperty("refresh_token").GetString()!;
            var expires = await system.ScalarAsync<DateTime>("select expires_at from oauth_refresh_tokens where token_hash = @h", ("h", OpaqueSecret.Hash(recorded)));
            var refreshed = await _oauth.RefreshAsync(app, recorded);
            if (expires <= DateTime.UtcNow)
            {
                // Refresh tokens live 30 days from the fixture's day: later runs meet the expiry, not a missing grant.
                refreshed.Error.ShouldBe("invalid_grant");
                (await refreshed.Response.Content.ReadAsStringAsync()).ShouldContain("expired");
                continue;
            }
            refreshed.Status.ShouldBe(HttpStatusCode.OK, refreshed.Body.ToString());
            refreshed.Body.GetProperty("scope").GetString().ShouldBe(grant.GetProperty("scope").GetString());
            (await system.Client(refreshed.AccessToken).GetAsync("/api/v1/events?limit=1")).StatusCode.ShouldBe(HttpStatusCode.OK, app.ClientId);
            if (app == driver) (driverAccess, driverRefresh) = (refreshed.AccessToken, refreshed.RefreshToken);
        }

        (await Tenant("B").DeleteAsync($"/api/v1/members/{analyst.GetProperty("id").GetGuid()}")).StatusCode.ShouldBe(HttpStatusCode.NoContent);

        (await system.ScalarAsync<string>("select revoke_reason from oauth_grants where id = @g", ("g", driverGrant))).ShouldBe("member_removed");
        (await StreamTypesAsync(StreamId("grant", driverGrant))).ShouldBe(["GrantImported", "GrantRevoked"]);
        (await StreamTypesAsync(StreamId("member", analyst.GetProperty("id").GetGuid()))).ShouldBe(["MemberImported", "MemberRemoved"]);
        (await (await Tenant("B").GetAsync("/api/v1/installed-apps")).ShouldBeJsonAsync(HttpStatusCode.OK)).GetProperty("data").GetArrayLength().ShouldBe(0);
        if (driverAccess is not null)
        {
            (await system.Client(driverAccess).GetAsync("/api/v1/events?limit=1")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
            (await _oauth.RefreshAsync(driver, driverRefresh!)).Error.ShouldBe("invalid_grant");
        }
    }

    [Fact]
    public async Task The_invited_member_of_the_release_before_accepts_and_the_removed_one_stays_removed()
    {
        var newHire = UpgradeManifest.Member("new.hire@northwind.example");
        var expires = DateTimeOffset.Parse(newHire.GetProperty("invitation_expires_at").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        var accepted = await system.Client().PostAsJsonAsync("/api/v1/members/accept",
            new { invitation_token = newHire.GetProperty("invitation_token").GetString(), password = "Another-Passw0rd-2026!" });
        if (expires > DateTimeOffset.UtcNow)
        {
            var member = await accepted.ShouldBeJsonAsync(HttpStatusCode.OK);
            member.GetProperty("status").GetString().ShouldBe("active");
            member.GetProperty("id").GetGuid().ShouldBe(newHire.GetProperty("id").GetGuid());
            (await StreamTypesAsync(StreamId("member", newHire.GetProperty("id").GetGuid()))).ShouldBe(["MemberImported", "MemberJoined"]);
            await (await system.Client().PostAsJsonAsync("/api/v1/members/accept",
                new { invitation_token = newHire.GetProperty("invitation_token").GetString(), password = "Another-Passw0rd-2026!" }))
                .ShouldBeErrorAsync(HttpStatusCode.NotFound, "invitation_not_found");
        }
        else
        {
            // The invitation expired 7 days after the fixture's day.
            await accepted.ShouldBeErrorAsync(HttpStatusCode.NotFound, "invitation_not_found");
        }

        var removed = UpgradedSystem.Manifest.GetProperty("members").GetProperty("removed")[0];
        await (await Tenant("A").DeleteAsync($"/api/v1/members/{removed.GetProperty("id").GetGuid()}")).ShouldBeErrorAsync(HttpStatusCode.NotFound, "member_not_found");
        // An imported active member holds its address; the removed one's is free again.
        await (await Tenant("A").PostAsJsonAsync("/api/v1/members", new { email = "OPS.LEAD@northwind.example", role = "member" }))
            .ShouldBeErrorAsync(HttpStatusCode.Conflict, "member_exists");
        (await (await Tenant("A").PostAsJsonAsync("/api/v1/members", new { email = removed.GetProperty("email").GetString(), role = "member" }))
            .ShouldBeJsonAsync(HttpStatusCode.Created)).GetProperty("member").GetProperty("id").GetGuid().ShouldNotBe(removed.GetProperty("id").GetGuid());
    }

    [Fact]
    public async Task Rebuilding_after_new_events_on_top_of_the_imported_ones_gives_the_same_rows()
    {
        var a = UpgradeManifest.TenantId("A");
        await (await Tenant("A").PostAsJsonAsync("/api/v1/members", new { email = "rebuild@northwind.example", role = "admin" })).ShouldBeJsonAsync(HttpStatusCode.Created);
        var dispatcher = UpgradeManifest.Member("dispatcher@northwind.example");
        (await Tenant("A").DeleteAsync($"/api/v1/members/{dispatcher.GetProperty("id").GetGuid()}")).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        var driver = UpgradeManifest.App("Northwind Driver App", "http://127.0.0.1:9104/callback");
        (await Tenant("A").PatchAsJsonAsync($"/api/v1/apps/{driver.Id}", new { description = "Rebuilt from its stream." })).StatusCode.ShouldBe(HttpStatusCode.OK);
        var globex = UpgradeManifest.App("Globex Insights Sync", GlobexCallback);
        var credentials = await _oauth.ClientCredentialsAsync(globex, a, "tenant:read");
        credentials.Status.ShouldBe(HttpStatusCode.OK, credentials.Body.ToString());
        (await _oauth.RevokeAsync(globex, credentials.AccessToken)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await system.ScalarAsync<long>("select count(*) from oauth_grants where revoke_reason = 'revoked_by_client'")).ShouldBeGreaterThan(0);

        foreach (var table in new[] { "members", "oauth_apps", "oauth_grants" })
        {
            var before = await UpgradeManifest.DumpAsync(system, table);
            await (await system.Admin.PostAsync($"/api/v1/admin/projections/{table}/rebuild", null)).ShouldBeJsonAsync(HttpStatusCode.OK);
            (await UpgradeManifest.DumpAsync(system, table)).ShouldBe(before, table);
        }
    }
}
