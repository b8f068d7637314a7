using System.Diagnostics;
using System.Net;
using Shouldly;

namespace Integrations.IntegrationTests.Fakes;

/// <summary>
/// Refreshing (RFC 6749 §6) under each refresh token policy a provider may have, and the refresh
/// faults tests inject to exercise the platform's token lifecycle.
/// </summary>
public sealed class OAuthRefreshTests(OAuthProviderFixture fixture) : OAuthFakeTestBase(fixture), IClassFixture<OAuthProviderFixture>
{
    [Fact]
    public async Task A_static_refresh_token_never_changes_and_keeps_working()
    {
        var tokens = await ConnectAsync();
        for (var i = 0; i < 3; i++)
        {
            using var response = await RefreshAsync(tokens.RefreshToken!);
            var refreshed = await TokensOf(response);
            refreshed.RefreshToken.ShouldBe(tokens.RefreshToken);
            refreshed.AccessToken.ShouldNotBe(tokens.AccessToken);
            await MeAsync(refreshed.AccessToken);
        }
        // The first access token lives on until it expires.
        await MeAsync(tokens.AccessToken);

        await Control.SettingsAsync(new { omit_unchanged_refresh_token = true });
        using var omitted = await RefreshAsync(tokens.RefreshToken!);
        (await TokensOf(omitted)).RefreshToken.ShouldBeNull();
    }

    [Fact]
    public async Task A_rotating_refresh_token_is_replaced_on_each_refresh_and_the_old_one_is_refused()
    {
        await Control.SettingsAsync(new { refresh_tokens = "rotating" });
        var tokens = await ConnectAsync();
        using var first = await RefreshAsync(tokens.RefreshToken!);
        var rotated = await TokensOf(first);
        rotated.RefreshToken.ShouldNotBeNull();
        rotated.RefreshToken.ShouldNotBe(tokens.RefreshToken);

        using var old = await RefreshAsync(tokens.RefreshToken!);
        await ShouldBeOAuthError(old, HttpStatusCode.BadRequest, "invalid_grant");
        using var next = await RefreshAsync(rotated.RefreshToken!);
        await MeAsync((await TokensOf(next)).AccessToken);
    }

    [Fact]
    public async Task A_rotated_refresh_token_keeps_working_during_the_grace_period_and_answers_the_current_one()
    {
        await Control.SettingsAsync(new { refresh_tokens = "rotating", rotation_grace_seconds = 60 });
        var tokens = await ConnectAsync();
        using var first = await RefreshAsync(tokens.RefreshToken!);
        var rotated = await TokensOf(first);

        using var withinGrace = await RefreshAsync(tokens.RefreshToken!);
        var again = await TokensOf(withinGrace);
        again.RefreshToken.ShouldBe(rotated.RefreshToken);
        await MeAsync(again.AccessToken);

        await Control.AdvanceClockAsync(TimeSpan.FromSeconds(61));
        using var afterGrace = await RefreshAsync(tokens.RefreshToken!);
        await ShouldBeOAuthError(afterGrace, HttpStatusCode.BadRequest, "invalid_grant");
        using var current = await RefreshAsync(rotated.RefreshToken!);
        await TokensOf(current);
    }

    [Fact]
    public async Task A_single_use_refresh_token_works_once_and_reuse_is_invalid_grant()
    {
        await Control.SettingsAsync(new { refresh_tokens = "single_use" });
        var tokens = await ConnectAsync();
        using var first = await RefreshAsync(tokens.RefreshToken!);
        var next = await TokensOf(first);

        using var reuse = await RefreshAsync(tokens.RefreshToken!);
        await ShouldBeOAuthError(reuse, HttpStatusCode.BadRequest, "invalid_grant");
        // Without reuse detection the newest token still works.
        using var chain = await RefreshAsync(next.RefreshToken!);
        var third = await TokensOf(chain);

        await Control.SettingsAsync(new { reuse_revokes_grant = true });
        using var detected = await RefreshAsync(next.RefreshToken!);
        await ShouldBeOAuthError(detected, HttpStatusCode.BadRequest, "invalid_grant");
        // RFC 9700 §4.14.2: reuse of a used token revokes the grant, the newest tokens included.
        using var killed = await RefreshAsync(third.RefreshToken!);
        await ShouldBeOAuthError(killed, HttpStatusCode.BadRequest, "invalid_grant");
        using var me = await GetWithTokenAsync("/api/me", third.AccessToken);
        ShouldBeInvalidToken(me);
    }

    [Fact]
    public async Task A_refresh_token_works_only_for_its_client_and_cannot_widen_the_scope()
    {
        await Control.AddClientAsync("other-app", "other-secret", OAuthProviderFixture.RedirectUri);
        var tokens = await ConnectAsync(scope: "profile records:read");
        using var otherClient = await TokenAsync([("grant_type", "refresh_token"), ("refresh_token", tokens.RefreshToken!)], Basic("other-app", "other-secret"));
        await ShouldBeOAuthError(otherClient, HttpStatusCode.BadRequest, "invalid_grant");
        using var wider = await TokenAsync([("grant_type", "refresh_token"), ("refresh_token", tokens.RefreshToken!), ("scope", "records:write")], ClientBasic);
        await ShouldBeOAuthError(wider, HttpStatusCode.BadRequest, "invalid_scope");
        using var narrower = await TokenAsync([("grant_type", "refresh_token"), ("refresh_token", tokens.RefreshToken!), ("scope", "records:read")], ClientBasic);
        (await TokensOf(narrower)).Scope.ShouldBe("records:read");
        using var missing = await TokenAsync([("grant_type", "refresh_token")], ClientBasic);
        await ShouldBeOAuthError(missing, HttpStatusCode.BadRequest, "invalid_request");
    }

    [Fact]
    public async Task Access_token_lifetime_and_unused_refresh_token_expiry_are_configurable()
    {
        await Control.SettingsAsync(new { access_token_lifetime_seconds = 120, refresh_token_lifetime_seconds = 3600 });
        var tokens = await ConnectAsync();
        tokens.ExpiresIn.ShouldBe(120);
        await Control.AdvanceClockAsync(TimeSpan.FromSeconds(121));
        using var expired = await GetWithTokenAsync("/api/me", tokens.AccessToken);
        ShouldBeInvalidToken(expired);
        using var refreshed = await RefreshAsync(tokens.RefreshToken!);
        await MeAsync((await TokensOf(refreshed)).AccessToken);
        await Control.AdvanceClockAsync(TimeSpan.FromHours(1));
        using var tooLate = await RefreshAsync(tokens.RefreshToken!);
        await ShouldBeOAuthError(tooLate, HttpStatusCode.BadRequest, "invalid_grant");
    }

    [Fact]
    public async Task Refresh_faults_answer_invalid_grant_5xx_or_hang_and_leave_the_token_usable_afterwards()
    {
        var tokens = await ConnectAsync();
        await Control.AddRefreshFaultAsync("invalid_grant");
        await Control.AddRefreshFaultAsync("server_error", status: 502);
        await Control.AddRefreshFaultAsync("temporarily_unavailable");
        await Control.AddRefreshFaultAsync("hang");

        using (var response = await RefreshAsync(tokens.RefreshToken!)) await ShouldBeOAuthError(response, HttpStatusCode.BadRequest, "invalid_grant");
        using (var response = await RefreshAsync(tokens.RefreshToken!)) await ShouldBeOAuthError(response, HttpStatusCode.BadGateway, "server_error");
        using (var response = await RefreshAsync(tokens.RefreshToken!)) await ShouldBeOAuthError(response, HttpStatusCode.ServiceUnavailable, "temporarily_unavailable");

        var watch = Stopwatch.StartNew();
        using (var impatient = new CancellationTokenSource(TimeSpan.FromSeconds(1)))
        {
            await Should.ThrowAsync<OperationCanceledException>(() => Http.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/oauth/token")
            {
                Content = new FormUrlEncodedContent([new("grant_type", "refresh_token"), new("refresh_token", tokens.RefreshToken!)]),
                Headers = { Authorization = ClientBasic },
            }, impatient.Token));
        }
        watch.Elapsed.ShouldBeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(900));

        using var recovered = await RefreshAsync(tokens.RefreshToken!);
        await TokensOf(recovered);
        var stats = await Control.StatsAsync();
        stats.Requests("refresh_token").ShouldBe(5);
        stats.Successes("refresh_token").ShouldBe(1);
    }

    [Fact]
    public async Task A_lost_response_rotates_the_single_use_token_the_client_never_saw()
    {
        await Control.SettingsAsync(new { refresh_tokens = "single_use" });
        var tokens = await ConnectAsync();
        await Control.AddRefreshFaultAsync("lost_response");

        await Should.ThrowAsync<HttpRequestException>(() => RefreshAsync(tokens.RefreshToken!));
        using var retry = await RefreshAsync(tokens.RefreshToken!);
        await ShouldBeOAuthError(retry, HttpStatusCode.BadRequest, "invalid_grant");
        var grant = (await Control.GrantsAsync()).ShouldHaveSingleItem();
        grant.GetProperty("refresh_token").GetString().ShouldNotBe(tokens.RefreshToken);
        (await Control.StatsAsync()).Successes("refresh_token").ShouldBe(1);
    }
}
