using System.Net;
using System.Text.RegularExpressions;
using Integrations.IntegrationTests.Api;
using Integrations.IntegrationTests.Infrastructure;
using Shouldly;

namespace Integrations.IntegrationTests.OAuth;

/// <summary>Per-account sign-in lockout through the real HTML form (defaults: 5 failures in 15 minutes lock for 15 minutes).</summary>
public sealed partial class SignInLockoutTests(OAuthSystem system) : IClassFixture<OAuthSystem>
{
    private readonly OAuthHarness _oauth = new(system);

    /// <summary>A fresh browser loads the sign-in form (antiforgery token and all) and posts it.</summary>
    private async Task<HttpResponseMessage> SignInAsync(RegisteredApp app, string organisation, string email, string password, Uri? instance = null)
    {
        using var browser = _oauth.Browser();
        if (instance is not null) browser.BaseAddress = instance;
        var page = await browser.GetAsync(OAuthHarness.AuthorizeUrl(app, OAuthHarness.Challenge(OAuthHarness.Verifier())));
        page.StatusCode.ShouldBe(HttpStatusCode.OK);
        var (token, request) = OAuthHarness.FormFields(await page.Content.ReadAsStringAsync());
        return await browser.PostAsync("/oauth/authorize/sign-in", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token, ["request"] = request,
            ["organisation"] = organisation, ["email"] = email, ["password"] = password,
        }));
    }

    private static async Task<string> FailureMessage(HttpResponseMessage response)
    {
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        response.Headers.Location.ShouldBeNull();
        var match = ErrorRegex().Match(await response.Content.ReadAsStringAsync());
        match.Success.ShouldBeTrue();
        return match.Groups[1].Value;
    }

    private Task<long> FailuresAsync(Guid memberId) =>
        system.ScalarAsync<long>("select coalesce((select failures from member_sign_in_failures where member_id = @m), 0)::bigint", ("m", memberId));

    [Fact]
    public async Task Five_wrong_passwords_lock_the_account_even_against_the_right_one_until_the_lock_ends()
    {
        var tenant = await system.CreateTenantWithKeyAsync();
        var app = await _oauth.RegisterAppAsync(tenant);
        var member = await _oauth.CreateMemberAsync(tenant);
        var organisation = member.TenantId.ToString();

        for (var i = 0; i < 5; i++) await FailureMessage(await SignInAsync(app, organisation, member.Email, "wrong password " + i));
        var lockedUntil = await system.ScalarAsync<DateTime>("select locked_until from member_sign_in_failures where member_id = @m", ("m", member.MemberId));
        lockedUntil.ShouldBeInRange(DateTime.UtcNow.AddMinutes(14), DateTime.UtcNow.AddMinutes(16));

        // Locked: the right password is refused with the very same message, and does not extend the lock.
        var whileLocked = await SignInAsync(app, organisation, member.Email.ToUpperInvariant(), member.Password);
        (await FailureMessage(whileLocked)).ShouldBe(OAuthHarnessText.FailedSignIn);
        (await system.ScalarAsync<DateTime>("select locked_until from member_sign_in_failures where member_id = @m", ("m", member.MemberId))).ShouldBe(lockedUntil);

        // Once the lock ran out (aged in the database rather than waited for), the right password works and clears the count.
        await system.ScalarAsync<object>("update member_sign_in_failures set locked_until = now() - interval '1 second', window_started_at = now() - interval '16 minutes' where member_id = @m returning 1",
            ("m", member.MemberId));
        (await SignInAsync(app, organisation, member.Email, member.Password)).StatusCode.ShouldBe(HttpStatusCode.SeeOther);
        (await FailuresAsync(member.MemberId)).ShouldBe(0);
    }

    [Fact]
    public async Task Unknown_organisation_unknown_address_wrong_password_and_locked_account_look_the_same()
    {
        var tenant = await system.CreateTenantWithKeyAsync();
        var app = await _oauth.RegisterAppAsync(tenant);
        var member = await _oauth.CreateMemberAsync(tenant);
        var locked = await _oauth.CreateMemberAsync(tenant);
        for (var i = 0; i < 5; i++) await SignInAsync(app, tenant.TenantId.ToString(), locked.Email, "wrong password");

        var messages = new[]
        {
            await FailureMessage(await SignInAsync(app, Guid.NewGuid().ToString(), member.Email, member.Password)),
            await FailureMessage(await SignInAsync(app, "not-a-guid", member.Email, member.Password)),
            await FailureMessage(await SignInAsync(app, tenant.TenantId.ToString(), "nobody@example.com", member.Password)),
            await FailureMessage(await SignInAsync(app, tenant.TenantId.ToString(), member.Email, "wrong password")),
            await FailureMessage(await SignInAsync(app, tenant.TenantId.ToString(), locked.Email, locked.Password)),
        };
        messages.Distinct().ShouldBe([OAuthHarnessText.FailedSignIn]);
        // Unknown accounts leave no rows behind (nothing to count them by, nothing to fill the table with).
        (await system.ScalarAsync<long>("select count(*) from member_sign_in_failures f join members m on m.id = f.member_id where m.tenant_id = @t", ("t", tenant.TenantId)))
            .ShouldBe(2, "the member with one wrong password and the locked one");
    }

    [Fact]
    public async Task A_successful_sign_in_resets_the_count_and_failures_outside_the_window_do_not_add_up()
    {
        var tenant = await system.CreateTenantWithKeyAsync();
        var app = await _oauth.RegisterAppAsync(tenant);
        var member = await _oauth.CreateMemberAsync(tenant);
        var organisation = tenant.TenantId.ToString();

        for (var i = 0; i < 4; i++) await FailureMessage(await SignInAsync(app, organisation, member.Email, "wrong"));
        (await SignInAsync(app, organisation, member.Email, member.Password)).StatusCode.ShouldBe(HttpStatusCode.SeeOther);
        for (var i = 0; i < 4; i++) await FailureMessage(await SignInAsync(app, organisation, member.Email, "wrong"));
        (await FailuresAsync(member.MemberId)).ShouldBe(4);

        // The window started 16 minutes ago: the next failure starts a new count instead of locking.
        await system.ScalarAsync<object>("update member_sign_in_failures set window_started_at = now() - interval '16 minutes' where member_id = @m returning 1", ("m", member.MemberId));
        await FailureMessage(await SignInAsync(app, organisation, member.Email, "wrong"));
        (await FailuresAsync(member.MemberId)).ShouldBe(1);
        (await SignInAsync(app, organisation, member.Email, member.Password)).StatusCode.ShouldBe(HttpStatusCode.SeeOther);
    }

    [Fact]
    public async Task The_organisation_unlocks_a_locked_out_member_at_once_and_nobody_else_can()
    {
        var tenant = await system.CreateTenantWithKeyAsync();
        var other = await system.CreateTenantWithKeyAsync();
        var app = await _oauth.RegisterAppAsync(tenant);
        var member = await _oauth.CreateMemberAsync(tenant);
        var organisation = tenant.TenantId.ToString();
        for (var i = 0; i < 5; i++) await FailureMessage(await SignInAsync(app, organisation, member.Email, "wrong " + i));
        using var stranger = system.Client(await _oauth.ScopedTokenAsync(tenant, ["members:read", "members:write"], "members:read"));

        await (await other.Client.PostAsync($"/api/v1/members/{member.MemberId}/unlock", null)).ShouldBeErrorAsync(HttpStatusCode.NotFound, "member_not_found");
        await (await tenant.Client.PostAsync($"/api/v1/members/{Guid.NewGuid()}/unlock", null)).ShouldBeErrorAsync(HttpStatusCode.NotFound, "member_not_found");
        await (await stranger.PostAsync($"/api/v1/members/{member.MemberId}/unlock", null)).ShouldBeErrorAsync(HttpStatusCode.Forbidden, "insufficient_scope");
        (await FailureMessage(await SignInAsync(app, organisation, member.Email, member.Password))).ShouldBe(OAuthHarnessText.FailedSignIn, "still locked");

        (await tenant.Client.PostAsync($"/api/v1/members/{member.MemberId}/unlock", null)).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        (await FailuresAsync(member.MemberId)).ShouldBe(0);
        (await SignInAsync(app, organisation, member.Email, member.Password)).StatusCode.ShouldBe(HttpStatusCode.SeeOther, "the right password works at once");
        (await tenant.Client.PostAsync($"/api/v1/members/{member.MemberId}/unlock", null)).StatusCode.ShouldBe(HttpStatusCode.NoContent, "unlocking an unlocked member changes nothing");
    }

    [Fact]
    public async Task Concurrent_failures_all_count_and_the_lock_holds_on_another_api_instance()
    {
        var tenant = await system.CreateTenantWithKeyAsync();
        var app = await _oauth.RegisterAppAsync(tenant);
        var member = await _oauth.CreateMemberAsync(tenant);
        var organisation = tenant.TenantId.ToString();
        var (second, address) = await system.StartApiInstanceAsync();
        try
        {
            // Guesses spread over two instances at once: every one counts (one atomic upsert each).
            await Task.WhenAll(Enumerable.Range(0, 5).Select(i => SignInAsync(app, organisation, member.Email, "wrong " + i, i % 2 == 0 ? null : address)));
            (await FailuresAsync(member.MemberId)).ShouldBe(5);
            (await FailureMessage(await SignInAsync(app, organisation, member.Email, member.Password, address))).ShouldBe(OAuthHarnessText.FailedSignIn);
            (await FailureMessage(await SignInAsync(app, organisation, member.Email, member.Password))).ShouldBe(OAuthHarnessText.FailedSignIn);
        }
        finally
        {
            await second.StopAsync();
            await second.DisposeAsync();
        }
    }

    [GeneratedRegex("<p class=\"error\" id=\"error\">([^<]*)</p>")]
    private static partial Regex ErrorRegex();
}

/// <summary>Texts the pages show, as HTML-encoded in the page.</summary>
public static class OAuthHarnessText
{
    public static readonly string FailedSignIn = System.Net.WebUtility.HtmlEncode(global::Integrations.Api.OAuth.OAuthServerEndpoints.FailedSignIn);
}
