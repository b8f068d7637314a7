using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Integrations.Domain.Notifications;
using Integrations.IntegrationTests.Api;
using Integrations.IntegrationTests.Infrastructure;
using Integrations.IntegrationTests.Webhooks.Delivery;
using Shouldly;

namespace Integrations.IntegrationTests.Connectors;

/// <summary>
/// Events through routes to the provider fake, through real parts: the API, the broker, the Workers'
/// connectors pipeline, PostgreSQL and the fake as a process. What arrives (rendered body,
/// credentials, idempotency key), filters, which failures are retried, dead letters and replay,
/// Retry-After, tenant isolation, and no credential in any attempt log or answer.
/// </summary>
[Collection(ConnectorsCollection.Name)]
public sealed class ConnectorCallTests(ConnectorsSystem system) : IAsyncLifetime
{
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(30);

    public Task InitializeAsync() => system.ResetFakeAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task An_event_reaches_the_provider_through_its_route_with_the_rendered_body_the_credentials_and_the_call_id_as_idempotency_key()
    {
        var tenant = await system.TenantAsync();
        var (connection, key) = await system.ConnectApiKeyAsync(tenant.Client);
        var route = await ConnectorsSystem.RecordsRouteAsync(tenant.Client, connection, "ok-");

        var eventId = await tenant.Client.PublishAsync(data: ConnectorsSystem.Invoice("in_1001", 4200));

        var calls = await ConnectorsSystem.WaitForCallsAsync(tenant.Client, connection, c => c.Count == 1 && c[0].Status() == "succeeded", Soon, "the call succeeded");
        var call = calls[0];
        call.EventId().ShouldBe(eventId);
        call.GetProperty("route_id").GetGuid().ShouldBe(route);
        call.GetProperty("event_type").GetString().ShouldBe("invoice.paid");
        call.GetProperty("attempt_count").GetInt32().ShouldBe(1);

        var received = (await system.ReceivedAsync("/api/records/ok-in_1001")).ShouldHaveSingleItem();
        received.Method.ShouldBe("PUT");
        received.Headers["authorization"].ShouldBe("Bearer " + key);
        received.Headers["idempotency-key"].ShouldBe(call.Id().ToString());
        var body = JsonDocument.Parse(received.Body).RootElement;
        body.GetProperty("invoice").GetString().ShouldBe("in_1001");
        body.GetProperty("amount").GetInt32().ShouldBe(4200, "a whole placeholder keeps the value's JSON type");
        body.GetProperty("source").GetString().ShouldBe("invoice.paid");

        var detail = await ConnectorsSystem.CallAsync(tenant.Client, connection, call.Id());
        var attempt = detail.Attempts().ShouldHaveSingleItem();
        attempt.GetProperty("status_code").GetInt32().ShouldBe(201);
        attempt.GetProperty("succeeded").GetBoolean().ShouldBeTrue();
        attempt.GetProperty("request").GetProperty("method").GetString().ShouldBe("PUT");
        attempt.GetProperty("request").GetProperty("url").GetString().ShouldBe(new Uri(system.Fake.BaseAddress, "/api/records/ok-in_1001").ToString());
        attempt.GetProperty("response_body_excerpt").GetString()!.ShouldContain("in_1001");
    }

    [Fact]
    public async Task A_placeholder_value_of_dot_dot_stays_one_segment_below_the_base_url()
    {
        var tenant = await system.TenantAsync();
        var (connection, key) = await system.ConnectApiKeyAsync(tenant.Client);
        await ConnectorsSystem.CreateRouteAsync(tenant.Client, connection, new { method = "PUT", path = "/records/{{ data.invoice_id }}" });

        await tenant.Client.PublishAsync(data: ConnectorsSystem.Invoice("..", 1));

        await ConnectorsSystem.WaitForCallsAsync(tenant.Client, connection, c => c.Count == 1 && c[0].Status() != "pending", Soon, "the call went");
        var received = (await system.ReceivedAsync("/api")).Where(r => r.Method == "PUT").ShouldHaveSingleItem();
        received.Path.ShouldStartWith("/api/records/");
        received.Headers["authorization"].ShouldBe("Bearer " + key);
    }

    [Fact]
    public async Task A_filter_keeps_events_that_do_not_match_from_the_provider_and_other_event_types_are_not_routed()
    {
        var tenant = await system.TenantAsync();
        var (connection, _) = await system.ConnectApiKeyAsync(tenant.Client);
        await ConnectorsSystem.CreateRouteAsync(tenant.Client, connection,
            new { method = "PUT", path = "/records/big-{{ data.invoice_id }}", body = new { amount = "{{ data.amount_cents }}" } },
            filter: [new { path = "data.amount_cents", op = "gte", value = 100000 }]);

        await tenant.Client.PublishAsync(data: ConnectorsSystem.Invoice("in_small", 4200));
        await tenant.Client.PublishAsync("invoice.failed", ConnectorsSystem.Invoice("in_other_type", 500000));
        var big = await tenant.Client.PublishAsync(data: ConnectorsSystem.Invoice("in_big", 150000));

        var calls = await ConnectorsSystem.WaitForCallsAsync(tenant.Client, connection, c => c.Any(x => x.Status() == "succeeded"), Soon, "the matching call went");
        // A tenant's events share a partition and are routed in order: once the last one's call exists, the earlier ones were decided.
        calls.ShouldHaveSingleItem().EventId().ShouldBe(big);
        (await system.ReceivedAsync("/api/records/big-")).Select(r => r.Path).ShouldBe(["/api/records/big-in_big"]);
    }

    [Fact]
    public async Task A_4xx_answer_is_not_retried_and_the_call_is_dead_lettered_at_once()
    {
        var tenant = await system.TenantAsync();
        var (connection, _) = await system.ConnectApiKeyAsync(tenant.Client);
        await ConnectorsSystem.RecordsRouteAsync(tenant.Client, connection, "bad-");
        await system.Fake.Control.AddFaultAsync(new FakeFault("/api/records/bad-", Count: null, Status: 422, Body: """{"error":"invalid_amount"}"""));

        await tenant.Client.PublishAsync(data: ConnectorsSystem.Invoice("in_4xx", 1));

        var calls = await ConnectorsSystem.WaitForCallsAsync(tenant.Client, connection, c => c.Count == 1 && c[0].Status() == "failed", Soon, "dead-lettered");
        var detail = await ConnectorsSystem.CallAsync(tenant.Client, connection, calls[0].Id());
        var attempt = detail.Sent().ShouldHaveSingleItem();
        attempt.GetProperty("status_code").GetInt32().ShouldBe(422);
        attempt.GetProperty("error_kind").GetString().ShouldBe("http_status");
        attempt.GetProperty("response_body_excerpt").GetString().ShouldBe("""{"error":"invalid_amount"}""");
        detail.GetProperty("failure_reason").GetString().ShouldNotBeNullOrEmpty();
        (await system.ReceivedAsync("/api/records/bad-")).Count.ShouldBe(1);
        (await ConnectorsSystem.CallsAsync(tenant.Client, connection, "&status=failed")).ShouldHaveSingleItem();
    }

    [Fact]
    public async Task A_5xx_answer_is_retried_with_backoff_then_dead_lettered_and_a_replay_sends_it_again_with_the_same_idempotency_key()
    {
        var tenant = await system.TenantAsync();
        var (connection, _) = await system.ConnectApiKeyAsync(tenant.Client);
        await ConnectorsSystem.RecordsRouteAsync(tenant.Client, connection, "flaky-");
        await system.Fake.Control.AddFaultAsync(new FakeFault("/api/records/flaky-", Count: null, Status: 503));

        await tenant.Client.PublishAsync(data: ConnectorsSystem.Invoice("in_5xx", 1));

        var failed = (await ConnectorsSystem.WaitForCallsAsync(tenant.Client, connection, c => c.Count == 1 && c[0].Status() == "failed", Soon, "dead-lettered"))[0];
        var attempts = (await ConnectorsSystem.CallAsync(tenant.Client, connection, failed.Id())).Sent();
        attempts.Select(a => a.GetProperty("status_code").GetInt32()).ShouldBe([503, 503, 503], "Connectors:Retry:MaxAttempts attempts");
        var sent = await system.ReceivedAsync("/api/records/flaky-");
        sent.Count.ShouldBe(3);
        (sent[1].ReceivedAt - sent[0].ReceivedAt).ShouldBeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(170), "the first backoff (0.2 s) less at most 10 % jitter, less the clocks' millisecond granularity");

        await system.Fake.Control.ClearFaultsAsync();
        var replayed = await (await tenant.Client.PostAsync($"/api/v1/connections/{connection}/calls/{failed.Id()}/replay", null))
            .ShouldBeJsonAsync(HttpStatusCode.Accepted);
        replayed.Status().ShouldBe("pending");
        await ConnectorsSystem.WaitForCallsAsync(tenant.Client, connection, c => c[0].Status() == "succeeded", Soon, "the replay succeeded");
        var all = await system.ReceivedAsync("/api/records/flaky-");
        all.Count.ShouldBe(4);
        all.Select(r => r.Headers["idempotency-key"]).Distinct().ShouldBe([failed.Id().ToString()]);

        // A succeeded call is not replayed; a call of no connection of the tenant is not found.
        await (await tenant.Client.PostAsync($"/api/v1/connections/{connection}/calls/{failed.Id()}/replay", null))
            .ShouldBeErrorAsync(HttpStatusCode.UnprocessableEntity, "connector_call_succeeded");
        await (await tenant.Client.PostAsync($"/api/v1/connections/{connection}/calls/{Guid.NewGuid()}/replay", null))
            .ShouldBeErrorAsync(HttpStatusCode.NotFound, "connector_call_not_found");
    }

    [Fact]
    public async Task The_bulk_replay_sends_every_dead_letter_of_the_connection_again_and_the_dead_letters_incident_opens_and_resolves()
    {
        var tenant = await system.TenantAsync();
        var (connection, key) = await system.ConnectApiKeyAsync(tenant.Client);
        await ConnectorsSystem.RecordsRouteAsync(tenant.Client, connection, "bulk-");
        await system.Fake.Control.AddFaultAsync(new FakeFault("/api/records/bulk-", Count: 3, Status: 400));
        for (var i = 0; i < 3; i++) await tenant.Client.PublishAsync(data: ConnectorsSystem.Invoice($"in_bulk{i}", i));
        await ConnectorsSystem.WaitForCallsAsync(tenant.Client, connection, c => c.Count == 3 && c.All(x => x.Status() == "failed"), Soon, "all dead-lettered");

        // Connectors:DeadLetterIncidentThreshold (3) dead letters: one notice for the tenant, without anything of the credential.
        await Eventually.HoldsAsync(async () => (await system.IncidentEventsAsync(tenant.TenantId, IncidentKinds.DeadLettersPiling, connection)).Count > 0,
            Soon, "the dead-letter incident opened");
        var notices = await (await tenant.Client.GetAsync("/api/v1/notifications?kind=connection.dead_letters")).ShouldBeJsonAsync(HttpStatusCode.OK);
        notices.GetProperty("data").GetArrayLength().ShouldBe(1);
        notices.GetRawText().ShouldNotContain(key);

        var replayed = await (await tenant.Client.PostAsJsonAsync($"/api/v1/connections/{connection}/calls/replay", new { })).ShouldBeJsonAsync(HttpStatusCode.OK);
        replayed.GetProperty("replayed").GetInt32().ShouldBe(3);
        await ConnectorsSystem.WaitForCallsAsync(tenant.Client, connection, c => c.All(x => x.Status() == "succeeded"), Soon, "all replayed");
        await Eventually.HoldsAsync(async () => (await system.IncidentEventsAsync(tenant.TenantId, IncidentKinds.DeadLettersPiling, connection)).Contains("IncidentResolved"),
            Soon, "resolved once no dead letter is left");
    }

    [Fact]
    public async Task A_429_with_Retry_After_is_honoured_the_next_attempt_not_before_it()
    {
        var tenant = await system.TenantAsync();
        var (connection, _) = await system.ConnectApiKeyAsync(tenant.Client);
        await ConnectorsSystem.RecordsRouteAsync(tenant.Client, connection, "busy-");
        await system.Fake.Control.AddFaultAsync(new FakeFault("/api/records/busy-", Count: 1, Status: 429, Headers: new() { ["Retry-After"] = "2" }));

        await tenant.Client.PublishAsync(data: ConnectorsSystem.Invoice("in_429", 1));

        var call = (await ConnectorsSystem.WaitForCallsAsync(tenant.Client, connection, c => c.Count == 1 && c[0].Status() == "succeeded", Soon, "sent after the wait"))[0];
        var sent = await system.ReceivedAsync("/api/records/busy-");
        sent.Count.ShouldBe(2);
        (sent[1].ReceivedAt - sent[0].ReceivedAt).ShouldBeGreaterThanOrEqualTo(TimeSpan.FromSeconds(1.9), "not before Retry-After");
        var attempts = (await ConnectorsSystem.CallAsync(tenant.Client, connection, call.Id())).Sent();
        attempts[0].GetProperty("error_kind").GetString().ShouldBe("rate_limited");
        attempts[0].GetProperty("status_code").GetInt32().ShouldBe(429);
    }

    [Fact]
    public async Task A_tenant_sees_and_changes_only_its_own_routes_and_calls_and_its_events_reach_only_its_routes()
    {
        var owner = await system.TenantAsync();
        var other = await system.TenantAsync();
        var (connection, _) = await system.ConnectApiKeyAsync(owner.Client);
        var route = await ConnectorsSystem.RecordsRouteAsync(owner.Client, connection, "mine-");
        await owner.Client.PublishAsync(data: ConnectorsSystem.Invoice("in_owner", 1));
        var call = (await ConnectorsSystem.WaitForCallsAsync(owner.Client, connection, c => c.Count == 1 && c[0].Status() == "succeeded", Soon, "owner's call"))[0];

        // The other tenant's event of the same type goes to its own route only.
        var (othersConnection, _) = await system.ConnectApiKeyAsync(other.Client);
        await ConnectorsSystem.RecordsRouteAsync(other.Client, othersConnection, "theirs-");
        var othersEvent = await other.Client.PublishAsync(data: ConnectorsSystem.Invoice("in_other", 1));
        await ConnectorsSystem.WaitForCallsAsync(other.Client, othersConnection, c => c.Any(x => x.EventId() == othersEvent), Soon, "the other tenant's event was routed");

        var client = other.Client;
        var paths = new[]
        {
            $"/api/v1/connections/{connection}/routes", $"/api/v1/connections/{connection}/routes/{route}",
            $"/api/v1/connections/{connection}/calls", $"/api/v1/connections/{connection}/calls/{call.Id()}",
        };
        foreach (var path in paths)
        {
            using var answer = await client.GetAsync(path);
            answer.StatusCode.ShouldBe(HttpStatusCode.NotFound, path);
        }
        (await client.PatchAsJsonAsync($"/api/v1/connections/{connection}/routes/{route}", new { enabled = false })).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await client.DeleteAsync($"/api/v1/connections/{connection}/routes/{route}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await client.PostAsync($"/api/v1/connections/{connection}/calls/{call.Id()}/replay", null)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await client.PostAsJsonAsync($"/api/v1/connections/{connection}/calls/replay", new { })).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await client.PostAsJsonAsync($"/api/v1/connections/{connection}/routes",
            new { event_types = new[] { "invoice.paid" }, action = "http.request", settings = new { path = "/records" } })).StatusCode.ShouldBe(HttpStatusCode.NotFound);

        (await ConnectorsSystem.GetAsync(owner.Client, connection)).GetProperty("id").GetGuid().ShouldBe(connection);
        var unchanged = await (await owner.Client.GetAsync($"/api/v1/connections/{connection}/routes/{route}")).ShouldBeJsonAsync(HttpStatusCode.OK);
        unchanged.GetProperty("enabled").GetBoolean().ShouldBeTrue("the other tenant's PATCH changed nothing");
        (await system.ReceivedAsync("/api/records/mine-in_other")).ShouldBeEmpty();
        (await ConnectorsSystem.CallsAsync(owner.Client, connection)).ShouldHaveSingleItem();
    }

    [Fact]
    public async Task No_credential_is_in_any_attempt_log_ledger_row_or_answer()
    {
        var tenant = await system.TenantAsync();
        var (connection, key) = await system.ConnectApiKeyAsync(tenant.Client);
        await ConnectorsSystem.RecordsRouteAsync(tenant.Client, connection, "secret-");
        await system.Fake.Control.AddFaultAsync(new FakeFault("/api/records/secret-", Count: 1, Status: 500, Body: "oops"));
        await tenant.Client.PublishAsync(data: ConnectorsSystem.Invoice("in_secret", 1));
        var call = (await ConnectorsSystem.WaitForCallsAsync(tenant.Client, connection, c => c.Count == 1 && c[0].Status() == "succeeded", Soon, "sent"))[0];
        (await system.ReceivedAsync("/api/records/secret-")).Last().Headers["authorization"].ShouldBe("Bearer " + key, "the credential was used");

        await ConnectorsSystem.CallAsync(tenant.Client, connection, call.Id());
        await tenant.Client.GetAsync($"/api/v1/connections/{connection}/routes");
        system.ResponseBodies.ShouldNotContain(b => b.Contains(key, StringComparison.Ordinal));
        (await system.ScalarAsync<long>("select count(*) from connector_calls where request::text like @k", ("k", "%" + key + "%"))).ShouldBe(0);
        (await system.ScalarAsync<long>("select count(*) from connector_call_attempts a where a::text like @k", ("k", "%" + key + "%"))).ShouldBe(0);
        (await system.ScalarAsync<long>("select count(*) from connector_call_attempts where connection_id = @c", ("c", connection))).ShouldBe(2);
    }
}
