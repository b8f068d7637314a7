using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Integrations.IntegrationTests.Infrastructure;
using Shouldly;

namespace Integrations.IntegrationTests.Fakes;

/// <summary>
/// The foundation every fake shares (tests/Fakes/Common), through the generic provider's process:
/// rate limits with 429 + Retry-After (RFC 6585 §4, RFC 9110 §10.2.3), fault injection, recorded
/// requests, reset, and the process life cycle.
/// </summary>
public sealed class FakeFoundationTests(OAuthProviderFixture fixture) : OAuthFakeTestBase(fixture), IClassFixture<OAuthProviderFixture>
{
    private static string Header(HttpResponseMessage response, string name) => response.Headers.GetValues(name).Single();

    [Fact]
    public async Task Calls_over_the_limit_get_429_with_Retry_After_and_every_answer_carries_the_limit_headers()
    {
        var token = (await ConnectAsync()).AccessToken;
        await Control.SetRateLimitsAsync(new FakeRateLimit(Limit: 3, WindowSeconds: 3600));

        for (var remaining = 2; remaining >= 0; remaining--)
        {
            using var allowed = await GetWithTokenAsync("/api/me", token);
            allowed.StatusCode.ShouldBe(HttpStatusCode.OK);
            Header(allowed, "X-RateLimit-Limit").ShouldBe("3");
            Header(allowed, "X-RateLimit-Remaining").ShouldBe(remaining.ToString(CultureInfo.InvariantCulture));
        }
        using var refused = await GetWithTokenAsync("/api/me", token);
        refused.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
        Header(refused, "X-RateLimit-Remaining").ShouldBe("0");
        var reset = int.Parse(Header(refused, "X-RateLimit-Reset"), CultureInfo.InvariantCulture);
        var retryAfter = refused.Headers.RetryAfter!.Delta!.Value.TotalSeconds;
        reset.ShouldBeInRange(1, 3600);
        retryAfter.ShouldBeInRange(reset - 1, reset + 1);

        // The OAuth endpoints are outside /api and not limited.
        using var tokenCall = await TokenAsync([("grant_type", "client_credentials")], ClientBasic);
        tokenCall.StatusCode.ShouldBe(HttpStatusCode.OK);
        tokenCall.Headers.Contains("X-RateLimit-Limit").ShouldBeFalse();

        // The next window starts afresh.
        await Control.AdvanceClockAsync(TimeSpan.FromSeconds(reset + 1));
        using var nextWindow = await GetWithTokenAsync("/api/me", token);
        nextWindow.StatusCode.ShouldBe(HttpStatusCode.OK);
        Header(nextWindow, "X-RateLimit-Remaining").ShouldBe("2");
    }

    [Fact]
    public async Task Limits_count_per_credential_and_write_resets_and_Retry_After_in_the_formats_providers_use()
    {
        var acme = (await ConnectAsync("acme")).AccessToken;
        var globex = (await ConnectAsync("globex")).AccessToken;
        await Control.SetRateLimitsAsync(
            new FakeRateLimit(1, 60, Per: "credential", ResetFormat: "epoch_seconds", RetryAfterAsHttpDate: true));

        using (var first = await GetWithTokenAsync("/api/me", acme)) first.StatusCode.ShouldBe(HttpStatusCode.OK);
        using (var other = await GetWithTokenAsync("/api/me", globex)) other.StatusCode.ShouldBe(HttpStatusCode.OK);
        using var refused = await GetWithTokenAsync("/api/me", acme);
        refused.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
        var resetAt = DateTimeOffset.FromUnixTimeSeconds(long.Parse(Header(refused, "X-RateLimit-Reset"), CultureInfo.InvariantCulture));
        var clock = await Http.GetFromJsonAsync<JsonElement>("/_fake/clock");
        var now = clock.GetProperty("now").GetDateTimeOffset();
        (resetAt - now).TotalSeconds.ShouldBeInRange(0, 60);
        (resetAt.ToUnixTimeSeconds() % 60).ShouldBe(0, "windows start on the minute");
        refused.Headers.RetryAfter!.Date!.Value.ShouldBe(resetAt, TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task Injected_faults_answer_the_next_calls_then_the_real_answer_returns()
    {
        var token = (await ConnectAsync()).AccessToken;
        await Control.AddFaultAsync(new FakeFault("/api/records", Count: 2, Status: 503, Body: """{"error":"maintenance"}""",
            Headers: new() { ["Retry-After"] = "7" }, Method: "GET"));

        for (var i = 0; i < 2; i++)
        {
            using var faulted = await GetWithTokenAsync("/api/records", token);
            faulted.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
            faulted.Headers.RetryAfter!.Delta.ShouldBe(TimeSpan.FromSeconds(7));
            (await faulted.Content.ReadAsStringAsync()).ShouldBe("""{"error":"maintenance"}""");
        }
        using var real = await GetWithTokenAsync("/api/records", token);
        real.StatusCode.ShouldBe(HttpStatusCode.OK);
        using var me = await GetWithTokenAsync("/api/me", token);
        me.StatusCode.ShouldBe(HttpStatusCode.OK, "the fault covered /api/records only");
        (await Control.RequestsAsync("/api/records")).Count.ShouldBe(3, "faulted calls are recorded too");
    }

    [Fact]
    public async Task A_delay_slows_the_real_answer_a_hang_never_answers_and_an_abort_drops_the_connection()
    {
        var token = (await ConnectAsync()).AccessToken;
        await Control.AddFaultAsync(new FakeFault("/api/me", DelayMs: 600));
        var watch = Stopwatch.StartNew();
        using (var delayed = await GetWithTokenAsync("/api/me", token)) delayed.StatusCode.ShouldBe(HttpStatusCode.OK);
        watch.Elapsed.ShouldBeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(550));

        await Control.AddFaultAsync(new FakeFault("/api/me", Count: null, Hang: true));
        using (var impatient = new CancellationTokenSource(TimeSpan.FromMilliseconds(700)))
        {
            await Should.ThrowAsync<OperationCanceledException>(() => Http.GetAsync("/api/me", impatient.Token));
        }
        // A hanging call ends (without an answer) when the faults are cleared.
        var hanging = Http.GetAsync("/api/me");
        await Task.Delay(200);
        hanging.IsCompleted.ShouldBeFalse();
        await Control.ClearFaultsAsync();
        await Should.ThrowAsync<HttpRequestException>(() => hanging.WaitAsync(TimeSpan.FromSeconds(5)));

        await Control.AddFaultAsync(new FakeFault("/api/me", Abort: true));
        await Should.ThrowAsync<HttpRequestException>(() => GetWithTokenAsync("/api/me", token));
        using var after = await GetWithTokenAsync("/api/me", token);
        after.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Recorded_requests_hold_method_path_query_headers_and_body_and_reset_forgets_everything()
    {
        var token = (await ConnectAsync()).AccessToken;
        using var request = new HttpRequestMessage(HttpMethod.Put, "/api/records/r-1?dry_run=true&x=%C3%A9")
        {
            Content = JsonContent.Create(new { hello = "world" }),
            Headers = { { "Authorization", "Bearer " + token }, { "X-Trace", "t-1" } },
        };
        using var response = await Http.SendAsync(request);
        response.StatusCode.ShouldBe(HttpStatusCode.Created);

        var recorded = (await Control.RequestsAsync("/api/records/r-1", "PUT")).ShouldHaveSingleItem();
        recorded.Method.ShouldBe("PUT");
        recorded.Path.ShouldBe("/api/records/r-1");
        recorded.Query["dry_run"].ShouldBe("true");
        recorded.Query["x"].ShouldBe("é");
        recorded.Headers["x-trace"].ShouldBe("t-1");
        JsonDocument.Parse(recorded.Body).RootElement.GetProperty("hello").GetString().ShouldBe("world");
        (await Control.RequestsAsync("/_fake")).ShouldBeEmpty("the control API is not recorded");

        await Control.AddFaultAsync(new FakeFault("/api", Count: null, Status: 500));
        await Control.SetRateLimitsAsync(new FakeRateLimit(1, 60));
        await Control.ResetAsync();
        (await Control.RequestsAsync()).ShouldBeEmpty();
        (await Control.GrantsAsync()).ShouldBeEmpty();
        using var gone = await GetWithTokenAsync("/api/me", token);
        ShouldBeInvalidToken(gone);
        var fresh = (await ConnectAsync()).AccessToken;
        using var first = await GetWithTokenAsync("/api/me", fresh);
        first.StatusCode.ShouldBe(HttpStatusCode.OK, "the fault is gone");
        using var noLimit = await GetWithTokenAsync("/api/me", fresh);
        noLimit.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Bad_control_input_is_400_and_changes_nothing()
    {
        foreach (var (path, body) in new[]
                 {
                     ("/_fake/faults", """{"path_prefix":"api","status":500}"""),
                     ("/_fake/faults", """{"path_prefix":"/api"}"""),
                     ("/_fake/faults", "not json"),
                     ("/_fake/oauth/refresh-faults", """{"kind":"explode"}"""),
                     ("/_fake/clock/advance", """{"seconds":-5}"""),
                 })
        {
            using var response = await Http.PostAsync(path, new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
            response.StatusCode.ShouldBe(HttpStatusCode.BadRequest, $"{path} {body}");
        }
        using var patch = await Http.PatchAsync("/_fake/oauth/settings", JsonContent.Create(new { refresh_tokens = "sometimes" }));
        patch.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        using var unknown = await Http.PatchAsync("/_fake/oauth/settings", JsonContent.Create(new { no_such_setting = 1 }));
        unknown.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await Http.GetFromJsonAsync<JsonElement>("/_fake/oauth/settings")).GetProperty("refresh_tokens").GetString().ShouldBe("static");
        (await Http.GetFromJsonAsync<JsonElement>("/_fake/faults")).GetProperty("data").GetArrayLength().ShouldBe(0);
    }

    [Fact]
    public async Task A_fake_announces_itself_once_ready_and_is_gone_after_dispose()
    {
        var fake = await OAuthProviderFake.StartAsync("--OAuth:AccessTokenLifetimeSeconds=90", "--OAuth:RefreshTokens=single-use");
        var pid = fake.Process.ProcessId;
        fake.Process.Ready.GetProperty("name").GetString().ShouldBe("oauth2-provider");
        fake.Process.Ready.GetProperty("pid").GetInt32().ShouldBe(pid);
        fake.BaseAddress.Host.ShouldBe("127.0.0.1");
        var settings = await fake.Process.CreateClient().GetFromJsonAsync<JsonElement>("/_fake/oauth/settings");
        settings.GetProperty("access_token_lifetime_seconds").GetInt32().ShouldBe(90);
        settings.GetProperty("refresh_tokens").GetString().ShouldBe("single_use");

        await fake.DisposeAsync();
        fake.Process.HasExited.ShouldBeTrue();
        File.Exists(fake.Process.LogFile).ShouldBeTrue();
        Should.Throw<ArgumentException>(() => Process.GetProcessById(pid));
    }

    [Fact]
    public async Task Start_up_arguments_set_paths_clients_authentication_and_limits()
    {
        await using var fake = await OAuthProviderFake.StartAsync(
            "--OAuth:TokenPath=/api/oauth.v2.access", "--OAuth:RevocationPath=", "--OAuth:pkce=required", "--OAuth:consent=approve",
            "--Client:Id=spa", "--Client:RedirectUris=http://127.0.0.1:9/cb",
            "--Auth:Mode=api_key", "--Auth:ApiKeys=key-1=acme", "--RateLimit:Limit=1", "--RateLimit:ResetFormat=epoch-seconds", "--RateLimit:PathPrefix=/api/me");
        using var http = fake.Process.CreateClient();

        var (verifier, challenge) = NewPkce();
        using var authorize = await http.GetAsync($"/oauth/authorize?response_type=code&client_id=spa&code_challenge={challenge}&code_challenge_method=S256");
        var code = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(authorize.Headers.Location!.Query)["code"].ToString();
        using var token = await http.PostAsync("/api/oauth.v2.access", new FormUrlEncodedContent(
            [new("grant_type", "authorization_code"), new("code", code), new("client_id", "spa"), new("code_verifier", verifier)]));
        token.StatusCode.ShouldBe(HttpStatusCode.OK, await token.Content.ReadAsStringAsync());
        (await http.PostAsync("/oauth/revoke", new FormUrlEncodedContent([new("token", "x")]))).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await http.GetFromJsonAsync<JsonElement>("/.well-known/oauth-authorization-server")).TryGetProperty("revocation_endpoint", out _).ShouldBeFalse();

        using var me = new HttpRequestMessage(HttpMethod.Get, "/api/me") { Headers = { { "X-API-Key", "key-1" } } };
        using var answer = await http.SendAsync(me);
        (await answer.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString().ShouldBe("acme");
        long.Parse(Header(answer, "X-RateLimit-Reset"), CultureInfo.InvariantCulture).ShouldBeGreaterThan(1_000_000_000);
        using var again = new HttpRequestMessage(HttpMethod.Get, "/api/me") { Headers = { { "X-API-Key", "key-1" } } };
        (await http.SendAsync(again)).StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);

        using var pathChange = await http.PatchAsync("/_fake/oauth/settings", JsonContent.Create(new { token_path = "/elsewhere" }));
        pathChange.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task A_fake_with_a_bad_setting_fails_to_start_and_says_why()
    {
        var failure = await Should.ThrowAsync<InvalidOperationException>(() => OAuthProviderFake.StartAsync("--OAuth:RefreshTokenz=static"));
        failure.Message.ShouldContain("RefreshTokenz");
    }
}
