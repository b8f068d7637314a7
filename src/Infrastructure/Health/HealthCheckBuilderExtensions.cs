using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Integrations.Infrastructure.Health;

public static class HealthCheckBuilderExtensions
{
    /// <summary>
    /// Both tagged "ready". PostgreSQL down makes the host unready (503): nothing can be accepted.
    /// Kafka down makes it degraded (200, "degraded" in the body): events are still accepted into
    /// the outbox and reach Kafka once it is back, so a load balancer must keep sending traffic.
    /// </summary>
    public static IHealthChecksBuilder AddInfrastructureHealthChecks(this IHealthChecksBuilder builder)
    {
        // A singleton, so its admin client lives as long as the host.
        builder.Services.TryAddSingleton<KafkaHealthCheck>();
        return builder
            .AddCheck<PostgresHealthCheck>("postgres", tags: ["ready"])
            .AddCheck<KafkaHealthCheck>("kafka", failureStatus: HealthStatus.Degraded, tags: ["ready"]);
    }
}
