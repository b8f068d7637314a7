using Integrations.IntegrationTests.Connectors;
using Integrations.IntegrationTests.Infrastructure;
using Shouldly;
using DeliveryApi = Integrations.IntegrationTests.Webhooks.Delivery.DeliveryApi;

namespace Integrations.IntegrationTests.ExactOnline;

/// <summary>
/// Exact's token quirks through real processes: refreshes only in the access token's last 30 s, and single-use refresh
/// tokens, with two Workers hosts sweeping and calling for the same connection at once.
/// </summary>
[Collection(ExactOnlineCollection.Name)]
public sealed class ExactOnlineTokenTests(ExactOnlineSystem system) : IAsyncLifetime
{
    private Microsoft.Extensions.Hosting.IHost? _second;

    public Task InitializeAsync() => system.ResetExactAsync();

    public async Task DisposeAsync()
    {
        if (_second is not null) await system.StopExtraWorkersAsync(_second);
        await system.ExactControl.ClearFaultsAsync();
        await system.ExactControl.SettingsAsync(new { access_token_lifetime_seconds = 600 });
    }

    [Fact]
    public async Task A_refused_call_early_in_the_tokens_life_does_not_ask_exact_for_a_refresh_it_would_refuse()
    {
        var tenant = await system.TenantAsync();
        var id = await system.ConnectAsync(tenant.Client);
        await ExactOnlineSystem.InvoiceRouteAsync(tenant.Client, id);
        // Exact answers one call 401 while the 10-minute token is young: a renewal now would be TooEarlyToRefreshTokens.
        await system.ExactControl.AddFaultAsync(new FakeFault($"/api/v1/{ExactOnlineSystem.Division}/salesinvoice", Count: 1, Status: 401,
            Body: """{"error":{"code":"","message":{"lang":"","value":"Unauthorized"}}}"""));

        await DeliveryApi.PublishAsync(tenant.Client, "entity.created", ExactOnlineSystem.Invoice("inv_401"));

        var calls = await ConnectorsSystem.WaitForCallsAsync(tenant.Client, id, c => c.Count > 0 && c.All(x => x.Status() is "succeeded" or "failed")
            && (c.Count == 4 || c.Any(x => x.Status() == "failed")), TimeSpan.FromSeconds(30), "the refused call was settled");
        var attempts = new List<System.Text.Json.JsonElement>();
        foreach (var call in calls) attempts.AddRange((await ConnectorsSystem.CallAsync(tenant.Client, id, call.Id())).Attempts());
        attempts.ShouldContain(a => a.GetProperty("status_code").ValueKind == System.Text.Json.JsonValueKind.Number && a.GetProperty("status_code").GetInt32() == 401);
        (await system.ExactControl.StatsAsync()).Requests("refresh_token").ShouldBe(0, "the platform waits for the token's last 30 s");
        (await Connections.ConnectionsSystem.GetAsync(tenant.Client, id)).GetProperty("status").GetString().ShouldBe("connected");
    }

    [Fact]
    public async Task Two_Workers_racing_to_refresh_single_use_tokens_never_lose_the_connection_and_never_ask_too_early()
    {
        // 40-s tokens: Exact's rule (no refresh before the last 30 s) and the runtime's 25-s buffer meet every 15 s or so.
        await system.ExactControl.SettingsAsync(new { access_token_lifetime_seconds = 40 });
        var tenant = await system.TenantAsync();
        var id = await system.ConnectAsync(tenant.Client);
        await ExactOnlineSystem.InvoiceRouteAsync(tenant.Client, id);
        // A slow token endpoint: both hosts find the connection due while one refresh holds its lock.
        await system.ExactControl.AddFaultAsync(new FakeFault("/api/oauth2/token", Count: null, DelayMs: 1500));
        _second = await system.StartExtraWorkersAsync();

        var published = 0;
        var lastPublished = DateTimeOffset.MinValue;
        await Eventually.HoldsAsync(async () =>
        {
            // An invoice every 4 s meanwhile (within Exact's 60 calls a minute): calls of both hosts ask for the connection's access while the sweeps refresh it.
            if (DateTimeOffset.UtcNow - lastPublished > TimeSpan.FromSeconds(4))
            {
                await DeliveryApi.PublishAsync(tenant.Client, "entity.created", ExactOnlineSystem.Invoice($"inv_r{published}", $"cus_r{published}"));
                published++;
                lastPublished = DateTimeOffset.UtcNow;
            }
            return (await system.ExactControl.StatsAsync()).Successes("refresh_token") >= 2;
        }, TimeSpan.FromSeconds(90), "two rotations of the refresh token");

        var stats = await system.ExactControl.StatsAsync();
        stats.Requests("refresh_token").ShouldBe(stats.Successes("refresh_token"),
            "no refresh was refused: none reused a spent refresh token (invalid_grant) and none came before the last 30 s (TooEarlyToRefreshTokens)");
        var connection = await Connections.ConnectionsSystem.GetAsync(tenant.Client, id);
        connection.GetProperty("status").GetString().ShouldBe("connected");
        await ConnectorsSystem.WaitForCallsAsync(tenant.Client, id, c => c.Count == published * 4 && c.All(x => x.Status() == "succeeded"), TimeSpan.FromSeconds(60),
            "every invoice was made with the rotating tokens");
        (await system.InvoicesAsync()).Count.ShouldBe(published);
    }
}
