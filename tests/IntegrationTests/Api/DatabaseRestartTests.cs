using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using Integrations.IntegrationTests.Infrastructure;
using Shouldly;

namespace Integrations.IntegrationTests.Api;

/// <summary>A system on a PostgreSQL server of its own, which a test may restart without disturbing the others.</summary>
public sealed class OwnPostgresSystem : TestSystem
{
    public PostgresServer Server { get; private set; } = null!;

    protected override async Task<string> CreateDatabaseAsync()
    {
        Server = await PostgresServer.StartAsync();
        return await TestEnvironment.CreateMigratedDatabaseAsync(Server);
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Server.DisposeAsync();
    }
}

public class DatabaseRestartTests(OwnPostgresSystem system) : IClassFixture<OwnPostgresSystem>
{
    [Fact]
    public async Task Requests_in_flight_while_PostgreSQL_restarts_get_503_with_Retry_After_and_every_202_is_stored()
    {
        var tenant = await system.CreateTenantWithKeyAsync(plan: "enterprise");
        var answers = new ConcurrentBag<(HttpStatusCode Status, string? RetryAfter, string Body)>();
        var accepted = new ConcurrentBag<Guid>();
        using var stop = new CancellationTokenSource();

        async Task LoadAsync(int worker)
        {
            for (var n = 0; !stop.IsCancellationRequested; n++)
            {
                HttpResponseMessage response;
                try
                {
                    response = n % 3 == 0
                        ? await tenant.Client.GetAsync("/api/v1/events?limit=5")
                        : await tenant.Client.PostAsync("/api/v1/events", new StringContent(
                            $$$"""{"event_type":"invoice.paid","data":{"invoice_id":"in_{{{worker}}}_{{{n}}}","amount_cents":{{{n}}},"currency":"EUR"}}""", Encoding.UTF8, "application/json"));
                }
                catch (HttpRequestException)
                {
                    continue;
                }
                var body = await response.Content.ReadAsStringAsync();
                answers.Add((response.StatusCode, response.Headers.RetryAfter?.ToString(), body));
                if (response.StatusCode == HttpStatusCode.Accepted) accepted.Add(JsonDocument.Parse(body).RootElement.GetProperty("id").GetGuid());
                if (response.StatusCode == HttpStatusCode.ServiceUnavailable) await Task.Delay(50);
            }
        }

        var load = Enumerable.Range(0, 8).Select(LoadAsync).ToList();
        await Task.Delay(TimeSpan.FromSeconds(1));
        await system.Server.RestartAsync(downFor: TimeSpan.FromSeconds(2));
        // Until requests succeed again, then a little longer.
        await Eventually.HoldsAsync(async () => (await tenant.Client.GetAsync("/api/v1/events?limit=1")).StatusCode == HttpStatusCode.OK,
            TimeSpan.FromSeconds(60), "the API serves again after the restart");
        await Task.Delay(TimeSpan.FromSeconds(1));
        await stop.CancelAsync();
        await Task.WhenAll(load);

        answers.ShouldNotContain(a => (int)a.Status >= 500 && a.Status != HttpStatusCode.ServiceUnavailable,
            string.Join("\n", answers.Where(a => (int)a.Status >= 500 && a.Status != HttpStatusCode.ServiceUnavailable).Take(3).Select(a => $"{a.Status}: {a.Body}")));
        var unavailable = answers.Where(a => a.Status == HttpStatusCode.ServiceUnavailable).ToList();
        unavailable.ShouldNotBeEmpty("some requests were in flight or arrived while PostgreSQL was down");
        foreach (var answer in unavailable)
        {
            answer.RetryAfter.ShouldNotBeNull();
            JsonDocument.Parse(answer.Body).RootElement.GetProperty("error").GetProperty("code").GetString().ShouldBe("service_unavailable");
        }
        // Nothing acknowledged is lost: every 202 is in the store.
        (await system.ScalarAsync<long>("select count(*) from events where id = any(@ids)", ("ids", accepted.ToArray()))).ShouldBe(accepted.Count);
    }
}
