using System.Net;
using Integrations.IntegrationTests.Infrastructure;
using Shouldly;

namespace Integrations.IntegrationTests.Api;

public class HealthTests(TestSystem system) : IClassFixture<TestSystem>
{
    [Fact]
    public async Task Live_needs_nothing_and_ready_checks_postgres_and_the_broker()
    {
        (await system.Client().GetAsync("/health/live")).StatusCode.ShouldBe(HttpStatusCode.OK);

        var ready = await (await system.Client().GetAsync("/health/ready")).ShouldBeJsonAsync(HttpStatusCode.OK);
        ready.GetProperty("status").GetString().ShouldBe("healthy");
        ready.GetProperty("checks").EnumerateObject().Count().ShouldBeGreaterThanOrEqualTo(2);

        await system.Broker.SetDownAsync();
        try
        {
            var down = await system.Client().GetAsync("/health/ready");
            down.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
            (await system.Client().GetAsync("/health/live")).StatusCode.ShouldBe(HttpStatusCode.OK);
        }
        finally
        {
            await system.Broker.SetUpAsync();
        }
        await Eventually.HoldsAsync(async () => (await system.Client().GetAsync("/health/ready")).StatusCode == HttpStatusCode.OK,
            TimeSpan.FromSeconds(30), "ready recovers when the broker is back");
    }
}
