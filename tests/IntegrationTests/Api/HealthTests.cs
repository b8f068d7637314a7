using System.Net;
using Integrations.IntegrationTests.Infrastructure;
using Shouldly;

namespace Integrations.IntegrationTests.Api;

public class HealthTests(TestSystem system) : IClassFixture<TestSystem>
{
    [Fact]
    public async Task Live_needs_nothing_and_ready_stays_ready_but_degraded_while_the_broker_is_down()
    {
        (await system.Client().GetAsync("/health/live")).StatusCode.ShouldBe(HttpStatusCode.OK);

        var ready = await (await system.Client().GetAsync("/health/ready")).ShouldBeJsonAsync(HttpStatusCode.OK);
        ready.GetProperty("status").GetString().ShouldBe("healthy");
        ready.GetProperty("checks").EnumerateObject().Count().ShouldBeGreaterThanOrEqualTo(2);

        await system.Broker.SetDownAsync();
        try
        {
            // The API keeps accepting events into the outbox: a load balancer must not cut it off.
            await Eventually.HoldsAsync(async () =>
            {
                var degraded = await (await system.Client().GetAsync("/health/ready")).ShouldBeJsonAsync(HttpStatusCode.OK);
                return degraded.GetProperty("status").GetString() == "degraded"
                       && degraded.GetProperty("checks").GetProperty("kafka").GetProperty("status").GetString() == "degraded"
                       && degraded.GetProperty("checks").GetProperty("postgres").GetProperty("status").GetString() == "healthy";
            }, TimeSpan.FromSeconds(20), "ready reports the broker as degraded");
            var tenant = await system.CreateTenantWithKeyAsync();
            (await tenant.Client.PostAsync("/api/v1/events", new StringContent("""{"event_type":"invoice.paid","data":{"invoice_id":"in_1","amount_cents":1,"currency":"EUR"}}""",
                System.Text.Encoding.UTF8, "application/json"))).StatusCode.ShouldBe(HttpStatusCode.Accepted);
            (await system.Client().GetAsync("/health/live")).StatusCode.ShouldBe(HttpStatusCode.OK);
        }
        finally
        {
            await system.Broker.SetUpAsync();
        }
        await Eventually.HoldsAsync(async () => (await (await system.Client().GetAsync("/health/ready")).ShouldBeJsonAsync(HttpStatusCode.OK))
                .GetProperty("status").GetString() == "healthy",
            TimeSpan.FromSeconds(30), "ready is healthy again when the broker is back");
    }
}
