using System.Net;
using Microsoft.AspNetCore.WebUtilities;
using Shouldly;

namespace Integrations.IntegrationTests.OAuth;

/// <summary>A member who already consented is not asked again, within that consent only, and never where an impersonator could catch the code.</summary>
public sealed class RememberedConsentTests(OAuthSystem system) : IClassFixture<OAuthSystem>
{
    private readonly OAuthHarness _oauth = new(system);

    /// <summary>A signed-in browser that has consented once to <paramref name="scope"/> for <paramref name="app"/>.</summary>
    private async Task<HttpClient> ConsentedBrowserAsync(RegisteredApp app, SignedInMember member, string scope)
    {
        var browser = _oauth.Browser();
        var consent = await _oauth.SignInToConsentAsync(browser, OAuthHarness.AuthorizeUrl(app, Challenge(), scope), member);
        (await OAuthHarness.PostConsentAsync(browser, consent)).StatusCode.ShouldBe(HttpStatusCode.SeeOther);
        return browser;
    }

    private static string Challenge() => OAuthHarness.Challenge(OAuthHarness.Verifier());

    private static void ShouldBeCodeRedirect(HttpResponseMessage response, RegisteredApp app)
    {
        response.StatusCode.ShouldBe(HttpStatusCode.SeeOther);
        var location = response.Headers.Location!.ToString();
        location.ShouldStartWith(app.RedirectUri + "?");
        var query = QueryHelpers.ParseQuery(new Uri(location).Query);
        query["code"].ToString().ShouldStartWith("ac_");
        query["state"].ToString().ShouldBe("st-123");
    }

    private static async Task ShouldBeConsentPage(HttpResponseMessage response)
    {
        var html = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, html);
        html.ShouldContain("id=\"consent\"");
    }

    [Fact]
    public async Task A_confidential_app_gets_a_code_without_the_page_within_the_earlier_consent_only()
    {
        var tenant = await system.CreateTenantWithKeyAsync();
        var app = await _oauth.RegisterAppAsync(tenant, "confidential");
        var member = await _oauth.CreateMemberAsync(tenant);
        using var browser = await ConsentedBrowserAsync(app, member, "events:read webhooks:read");

        var same = await browser.GetAsync(OAuthHarness.AuthorizeUrl(app, null, "events:read webhooks:read"));
        ShouldBeCodeRedirect(same, app);
        var narrower = await browser.GetAsync(OAuthHarness.AuthorizeUrl(app, null, "events:read"));
        ShouldBeCodeRedirect(narrower, app);
        var tokens = await _oauth.ExchangeAsync(app, QueryHelpers.ParseQuery(narrower.Headers.Location!.Query)["code"].ToString(), verifier: null);
        tokens.Status.ShouldBe(HttpStatusCode.OK, tokens.Body.ToString());
        tokens.Body.GetProperty("scope").GetString().ShouldBe("events:read", "the new grant has only what this request asked for");

        // Beyond the earlier consent: asked again, whatever the rest of the scope.
        await ShouldBeConsentPage(await browser.GetAsync(OAuthHarness.AuthorizeUrl(app, null, "events:read events:write")));
        // prompt=consent forces the page; any other prompt is refused.
        await ShouldBeConsentPage(await browser.GetAsync(OAuthHarness.AuthorizeUrl(app, null, "events:read") + "&prompt=consent"));
        var none = await browser.GetAsync(OAuthHarness.AuthorizeUrl(app, null, "events:read") + "&prompt=none");
        none.StatusCode.ShouldBe(HttpStatusCode.SeeOther);
        QueryHelpers.ParseQuery(none.Headers.Location!.Query)["error"].ToString().ShouldBe("invalid_request");
    }

    [Fact]
    public async Task Consent_is_remembered_per_member_and_forgotten_when_revoked_or_disconnected()
    {
        var tenant = await system.CreateTenantWithKeyAsync();
        var app = await _oauth.RegisterAppAsync(tenant, "confidential");
        var member = await _oauth.CreateMemberAsync(tenant);
        var colleague = await _oauth.CreateMemberAsync(tenant);
        using var browser = await ConsentedBrowserAsync(app, member, "events:read");

        // A colleague in the same organisation has not consented: the page.
        using var colleagueBrowser = _oauth.Browser();
        await _oauth.SignInToConsentAsync(colleagueBrowser, OAuthHarness.AuthorizeUrl(app, null), colleague);

        // A fresh sign-in goes straight to the app after the form.
        using var again = _oauth.Browser();
        var page = await again.GetAsync(OAuthHarness.AuthorizeUrl(app, null));
        var (token, request) = OAuthHarness.FormFields(await page.Content.ReadAsStringAsync());
        var signIn = await again.PostAsync("/oauth/authorize/sign-in", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token, ["request"] = request,
            ["organisation"] = member.TenantId.ToString(), ["email"] = member.Email, ["password"] = member.Password,
        }));
        signIn.StatusCode.ShouldBe(HttpStatusCode.SeeOther);
        var remembered = await again.GetAsync(signIn.Headers.Location!.ToString());
        ShouldBeCodeRedirect(remembered, app);

        // Revoking the tokens of every grant forgets the consent: exchange each code, revoke each grant.
        var code = QueryHelpers.ParseQuery(remembered.Headers.Location!.Query)["code"].ToString();
        var tokens = await _oauth.ExchangeAsync(app, code, verifier: null);
        (await _oauth.RevokeAsync(app, tokens.AccessToken)).StatusCode.ShouldBe(HttpStatusCode.OK);
        ShouldBeCodeRedirect(await browser.GetAsync(OAuthHarness.AuthorizeUrl(app, null)), app); // the first consent's grant is still live
        await system.ScalarAsync<object>("update oauth_grants set revoked_at = now(), revoke_reason = 'test' where member_id = @m and revoked_at is null returning 1",
            ("m", member.MemberId));
        await ShouldBeConsentPage(await browser.GetAsync(OAuthHarness.AuthorizeUrl(app, null)));

        // Consent again, then the organisation disconnects the app: asked again.
        (await OAuthHarness.PostConsentAsync(browser, await (await browser.GetAsync(OAuthHarness.AuthorizeUrl(app, null))).Content.ReadAsStringAsync()))
            .StatusCode.ShouldBe(HttpStatusCode.SeeOther);
        ShouldBeCodeRedirect(await browser.GetAsync(OAuthHarness.AuthorizeUrl(app, null)), app);
        (await tenant.Client.DeleteAsync($"/api/v1/installed-apps/{app.Id}")).StatusCode.ShouldBe(HttpStatusCode.OK);
        await ShouldBeConsentPage(await browser.GetAsync(OAuthHarness.AuthorizeUrl(app, null)));
    }

    [Fact]
    public async Task A_public_app_on_a_loopback_redirect_is_always_asked_but_not_on_https()
    {
        var tenant = await system.CreateTenantWithKeyAsync();
        var member = await _oauth.CreateMemberAsync(tenant);
        // Any local program can listen on 127.0.0.1 and claim to be this client: never skip the page.
        var loopback = await _oauth.RegisterAppAsync(tenant);
        using (var browser = await ConsentedBrowserAsync(loopback, member, "events:read"))
            await ShouldBeConsentPage(await browser.GetAsync(OAuthHarness.AuthorizeUrl(loopback, Challenge())));

        var https = await _oauth.RegisterAppAsync(tenant, redirectUri: "https://app.example.com/callback/" + Guid.NewGuid().ToString("N")[..8]);
        using (var browser = await ConsentedBrowserAsync(https, member, "events:read"))
            ShouldBeCodeRedirect(await browser.GetAsync(OAuthHarness.AuthorizeUrl(https, Challenge())), https);
    }
}
