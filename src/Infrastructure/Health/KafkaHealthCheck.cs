using Confluent.Kafka;
using Integrations.Infrastructure.Messaging;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Integrations.Infrastructure.Health;

/// <summary>
/// Ready when a broker returns the cluster metadata within 3 s. Metadata only: the consumer group
/// APIs are unsupported by (or crash against) the development broker. One admin client serves
/// every check; creating one per check would open new connections each time.
/// </summary>
public sealed class KafkaHealthCheck(KafkaClientFactory clients) : IHealthCheck, IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);

    private readonly Lazy<IAdminClient> _admin = new(clients.CreateAdminClient);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            // GetMetadata blocks for up to the timeout.
            var metadata = await Task.Run(() => _admin.Value.GetMetadata(Timeout), cancellationToken);
            return metadata.Brokers.Count > 0
                ? HealthCheckResult.Healthy($"{metadata.Brokers.Count} broker(s), {metadata.Topics.Count} topic(s).")
                : new HealthCheckResult(context.Registration.FailureStatus, "Kafka returned no brokers.");
        }
        catch (KafkaException ex)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, $"Kafka is unreachable: {ex.Error.Reason}", ex);
        }
    }

    public void Dispose()
    {
        if (_admin.IsValueCreated) _admin.Value.Dispose();
    }
}
