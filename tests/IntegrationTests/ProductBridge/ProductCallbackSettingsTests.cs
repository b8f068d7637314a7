using Integrations.Workers;
using Microsoft.Extensions.Configuration;
using Shouldly;

namespace Integrations.IntegrationTests.ProductBridge;

/// <summary>The callback settings are checked where they are used: by a Workers host that runs product-callbacks.</summary>
public class ProductCallbackSettingsTests
{
    [Fact]
    public void A_workers_host_refuses_callback_settings_that_would_hold_a_consumer_past_its_poll_interval()
    {
        var configuration = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Postgres"] = "Host=127.0.0.1;Port=1;Database=unused",
            ["Kafka:BootstrapServers"] = "127.0.0.1:1",
            ["ProductBridge:CallbackRetries"] = "20",
        };

        var refused = Should.Throw<WorkerConfigurationException>(() => WorkerHost.Build(["--environment", "Testing"],
            b => b.Configuration.AddInMemoryCollection(configuration)));

        refused.Message.ShouldContain("at most 240 s");
        configuration["Workers:Pipelines"] = "events-dispatch";
        using var other = WorkerHost.Build(["--environment", "Testing"],
            b => b.Configuration.AddInMemoryCollection(configuration));
        other.ShouldNotBeNull("a host without the pipeline does not read its settings");
    }
}
