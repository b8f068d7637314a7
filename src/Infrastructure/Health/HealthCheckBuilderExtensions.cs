using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Integrations.Infrastructure.Health;

public static class HealthCheckBuilderExtensions
{
    /// <summary>PostgreSQL and Kafka, both tagged "ready": the host can serve only when both answer.</summary>
    public static IHealthChecksBuilder AddInfrastructureHealthChecks(this IHealthChecksBuilder builder)
    {
        // A singleton, so its admin client lives as long as the host.
        builder.Services.TryAddSingleton<KafkaHealthCheck>();
        return builder
            .AddCheck<PostgresHealthCheck>("postgres", tags: ["ready"])
            .AddCheck<KafkaHealthCheck>("kafka", tags: ["ready"]);
    }
}
