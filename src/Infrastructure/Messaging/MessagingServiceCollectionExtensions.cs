using Integrations.Application.Common.Interfaces;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Integrations.Infrastructure.Messaging;

public static class MessagingServiceCollectionExtensions
{
    /// <summary>
    /// What both hosts need: Kafka options and clients, and the outbox the commands write to.
    /// Nothing here talks to Kafka on a request path: messages leave through the outbox relay.
    /// </summary>
    public static IServiceCollection AddKafkaMessaging(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<KafkaOptions>()
            .Bind(configuration.GetSection(KafkaOptions.SectionName))
            .Validate(o => !string.IsNullOrWhiteSpace(o.BootstrapServers), "Kafka:BootstrapServers is required.")
            .Validate(o => o.MessageTimeoutMs > 0 && o.CommitIntervalMs > 0 && o.CommitBatchSize > 0, "Kafka timeouts and batch sizes must be positive.");
        services.AddOptions<OutboxOptions>()
            .Bind(configuration.GetSection(OutboxOptions.SectionName))
            .Validate(o => o.BatchSize > 0 && o.PollInterval > TimeSpan.Zero && o.SweepInterval > TimeSpan.Zero
                && o.CompletionTimeout > TimeSpan.Zero && o.LeadershipPollInterval > TimeSpan.Zero && o.SweepPageSize > 0,
                "Outbox intervals, batch size and sweep page size must be positive.");
        services.TryAddSingleton<KafkaClientFactory>();
        services.TryAddSingleton<KafkaProducer>();
        services.TryAddSingleton<KafkaConsumerGroupOffsets>();
        services.TryAddSingleton<Application.ConsumerLag.IConsumerGroupOffsets>(provider => provider.GetRequiredService<KafkaConsumerGroupOffsets>());
        services.TryAddScoped<IOutbox, PostgresOutbox>();
        return services;
    }

    /// <summary>Publishes the outbox to Kafka; one process leads at a time (Workers host).</summary>
    public static IServiceCollection AddOutboxRelay(this IServiceCollection services) =>
        services.AddHostedService<OutboxRelay>();

    /// <summary>Republishes messages whose consumer did not complete them, and applies retention (Workers host).</summary>
    public static IServiceCollection AddOutboxSweeper(this IServiceCollection services) =>
        services.AddHostedService<OutboxSweeper>();
}
