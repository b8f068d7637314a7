using Integrations.Application;
using Integrations.Application.Common;
using Integrations.Infrastructure;
using Integrations.Infrastructure.Messaging;
using Integrations.Infrastructure.Persistence;
using Integrations.Infrastructure.Webhooks;

namespace Integrations.Workers;

/// <summary>
/// The Workers host: publishes the outbox to Kafka (relay and sweeper) and consumes the platform's
/// topics. Several instances may run: they share the consumer group's partitions, and one of them
/// at a time leads the relay.
/// </summary>
public static class WorkerHost
{
    /// <summary>In-flight messages get this long to finish and commit on shutdown.</summary>
    public static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(30);

    /// <param name="configure">Runs before any service is registered: tests use it to point at their own PostgreSQL and broker.</param>
    public static IHost Build(string[] args, Action<HostApplicationBuilder>? configure = null)
    {
        var builder = Host.CreateApplicationBuilder(args);
        configure?.Invoke(builder);

        builder.Logging.AddSimpleConsole(o =>
        {
            o.IncludeScopes = true;
            o.UseUtcTimestamp = true;
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
        });
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = ShutdownTimeout);

        builder.Services.AddApplication();
        builder.Services.AddInfrastructure(builder.Configuration);
        // Hosted services start in registration order: the schema is in place before anything uses it.
        builder.Services.AddHostedService<MigrationHostedService>();
        builder.Services.AddOutboxRelay();
        builder.Services.AddOutboxSweeper();
        // The sweeper republishes an events message only once this group has passed it or caught up.
        builder.Services.Configure<OutboxOptions>(o => o.CompletingGroups[Topics.Events] = EventsTopicHandler.Group);
        builder.Services.AddKafkaBatchConsumer<EventsTopicHandler>();
        builder.Services.AddWebhookDispatcher(builder.Configuration);
        return builder.Build();
    }
}
