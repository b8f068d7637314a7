using Integrations.Application;
using Integrations.Infrastructure;
using Integrations.Infrastructure.Persistence;

namespace Integrations.Workers;

/// <summary>
/// The Workers host: runs the pipelines <c>Workers:Pipelines</c> selects (<see cref="WorkerPipelines"/>;
/// all by default): the outbox relay, the events consumer that dispatches events, the webhook
/// dispatcher. Several instances may run, with the same or different pipelines: consumers share
/// their group's partitions, dispatchers the delivery queue, and one relay at a time leads.
/// </summary>
public static class WorkerHost
{
    /// <summary>In-flight messages get this long to finish and commit on shutdown.</summary>
    public static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(30);

    /// <param name="configure">Runs before any service is registered: tests use it to point at their own PostgreSQL and broker.</param>
    /// <exception cref="WorkerConfigurationException">Workers:Pipelines names a pipeline the host does not know.</exception>
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

        // Before anything is registered: an unknown pipeline name fails here, with the valid ones.
        var pipelines = WorkerPipelines.Select(builder.Configuration);
        builder.Services.AddApplication();
        builder.Services.AddInfrastructure(builder.Configuration);
        // Hosted services start in registration order: the schema is in place before anything uses it.
        builder.Services.AddHostedService<MigrationHostedService>();
        builder.Services.AddHostedService<StatisticsWarmUp>();
        builder.Services.AddWorkerPipelines(builder.Configuration, pipelines);
        return builder.Build();
    }
}
