using System.Net;
using System.Net.Http.Json;
using Integrations.IntegrationTests.Api;
using Integrations.IntegrationTests.Infrastructure;
using Integrations.IntegrationTests.Webhooks.Delivery;
using Shouldly;

namespace Integrations.IntegrationTests.Connectors;

/// <summary>Routes paused, resumed and stopped with their connection; an OAuth connection's expired token renewed once after a 401.</summary>
[Collection(ConnectorsCollection.Name)]
public sealed class RouteLifecycleTests(ConnectorsSystem system)
{
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_disabled_route_sends_nothing_an_enabled_one_sends_again_and_deleting_the_connection_stops_its_routes()
    {
        await system.ResetFakeAsync();
        var tenant = await system.TenantAsync();
        var (connection, _) = await system.ConnectApiKeyAsync(tenant.Client);
        var route = await ConnectorsSystem.RecordsRouteAsync(tenant.Client, connection, "life-");
        // Routes are matched when the pipeline reads an event: a call of this always-on route for an event says the event was routed.
        var (witness, _) = await system.ConnectApiKeyAsync(tenant.Client);
        await ConnectorsSystem.RecordsRouteAsync(tenant.Client, witness, "witness-");

        var disabled = await (await tenant.Client.PatchAsJsonAsync($"/api/v1/connections/{connection}/routes/{route}", new { enabled = false }))
            .ShouldBeJsonAsync(HttpStatusCode.OK);
        disabled.GetProperty("enabled").GetBoolean().ShouldBeFalse();
        var paused = await tenant.Client.PublishAsync(data: ConnectorsSystem.Invoice("in_paused", 1));
        await RoutedAsync(tenant.Client, witness, paused);
        (await ConnectorsSystem.CallsAsync(tenant.Client, connection)).ShouldBeEmpty();

        await tenant.Client.PatchAsJsonAsync($"/api/v1/connections/{connection}/routes/{route}", new { enabled = true });
        var resumed = await tenant.Client.PublishAsync(data: ConnectorsSystem.Invoice("in_resumed", 1));
        var calls = await ConnectorsSystem.WaitForCallsAsync(tenant.Client, connection, c => c.Any(x => x.Status() == "succeeded"), Soon, "sent once enabled");
        calls.ShouldHaveSingleItem().EventId().ShouldBe(resumed);

        (await tenant.Client.DeleteAsync($"/api/v1/connections/{connection}")).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        (await system.ScalarAsync<long>("select count(*) from connector_routes where connection_id = @c and not connection_deleted", ("c", connection))).ShouldBe(0);
        var afterDelete = await tenant.Client.PublishAsync(data: ConnectorsSystem.Invoice("in_after_delete", 1));
        await RoutedAsync(tenant.Client, witness, afterDelete);
        (await system.ScalarAsync<long>("select count(*) from connector_calls where connection_id = @c", ("c", connection))).ShouldBe(1);
    }

    private static Task RoutedAsync(HttpClient client, Guid witness, Guid eventId) =>
        ConnectorsSystem.WaitForCallsAsync(client, witness, c => c.Any(x => x.EventId() == eventId), Soon, "the event was routed");

    [Fact]
    public async Task A_401_renews_an_OAuth_connections_token_once_and_the_call_goes_through_with_the_new_one()
    {
        await system.Fake.Control.ResetAsync();
        var tenant = await system.TenantAsync();
        var connection = (await system.ConnectAsync(tenant.Client)).GetProperty("id").GetGuid();
        await ConnectorsSystem.RecordsRouteAsync(tenant.Client, connection, "oauth-");
        await system.Fake.Control.ExpireAccessTokensAsync(account: "acme");
        var refreshesBefore = (await system.Fake.Control.StatsAsync()).Requests("refresh_token");

        await tenant.Client.PublishAsync(data: ConnectorsSystem.Invoice("in_oauth", 1));

        var call = (await ConnectorsSystem.WaitForCallsAsync(tenant.Client, connection, c => c.Count == 1 && c[0].Status() == "succeeded", Soon, "sent"))[0];
        var received = await system.ReceivedAsync("/api/records/oauth-");
        received.Count.ShouldBe(2);
        received[1].Headers["authorization"].ShouldNotBe(received[0].Headers["authorization"], "the renewed token");
        (await system.Fake.Control.StatsAsync()).Requests("refresh_token").ShouldBe(refreshesBefore + 1, "one refresh");
        var attempts = (await ConnectorsSystem.CallAsync(tenant.Client, connection, call.Id())).Sent();
        attempts.Select(a => a.GetProperty("status_code").GetInt32()).ShouldBe([401, 201]);
        attempts[0].GetProperty("error_kind").GetString().ShouldBe("auth");
        var tokens = await system.FakeTokensAsync();
        system.ResponseBodies.ShouldNotContain(b => tokens.Any(t => b.Contains(t, StringComparison.Ordinal)));
    }
}
