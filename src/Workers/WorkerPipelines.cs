using Integrations.Application.Common;
using Integrations.Infrastructure.Connectors;
using Integrations.Application.ProductBridge.Pipelines;
using Integrations.Infrastructure.Connections;
using Integrations.Infrastructure.Email;
using Integrations.Infrastructure.Inbound;
using Integrations.Infrastructure.Messaging;
using Integrations.Infrastructure.Notifications;
using Integrations.Infrastructure.Persistence.EventStore;
using Integrations.Infrastructure.ProductBridge;
using Integrations.Infrastructure.Schedules;
using Integrations.Infrastructure.Webhooks;

namespace Integrations.Workers;

/// <summary>
/// The Workers host's pipelines. <c>Workers:Pipelines</c> (comma-separated, or an array) chooses
/// which of them a process runs, so each can run as a process of its own and be scaled alone;
/// unset or <c>all</c> runs every one in one process, as <c>run.sh</c> does. A name the host does
/// not know fails start-up. What each needs: docs/configuration.md, "Workers pipelines".
/// </summary>
public static class WorkerPipelines
{
    public const string ConfigurationKey = "Workers:Pipelines";

    public const string All = "all";

    /// <summary>Publishes the outbox to Kafka, one leader at a time (<see cref="RelayLeadership"/>), and republishes what no consumer completed (the sweeper).</summary>
    public const string OutboxRelay = "outbox-relay";

    /// <summary>
    /// Consumes integrations.events.v1 (<see cref="EventsTopicHandler"/>): marks events dispatched and, in the same transaction,
    /// creates their webhook deliveries and writes their connector calls to the ledger.
    /// </summary>
    public const string EventsDispatch = "events-dispatch";

    /// <summary>Sends the queued webhook deliveries.</summary>
    public const string WebhookDelivery = "webhook-delivery";

    /// <summary>
    /// The connector runtime: sends the calls events-dispatch wrote to the ledger through each connection's resilience policy
    /// (until ADR 0029 it also consumed integrations.events.v1 in a group of its own).
    /// </summary>
    public const string Connectors = "connectors";

    /// <summary>
    /// Connections: refreshes OAuth tokens ahead of expiry and exercises idle refresh tokens; runs the periodic health checks; keeps
    /// the connections' registrations at their providers alive (Jira's dynamic webhooks, ADR 0028).
    /// </summary>
    public const string Connections = "connections";

    /// <summary>Marten's async daemon: keeps the async projections (ADR 0011), one process at a time (hot/cold).</summary>
    public const string Projections = "projections";

    /// <summary>Mails the notices of incidents to the tenants' admins (Mail:*, ADR 0018).</summary>
    public const string Notifications = "notifications";
    /// <summary>Consumes integrations.product-commands.v1 (<see cref="ProductCommandsTopicHandler"/>): POSTs each command to its tenant's callback, if it has one (ADR 0015).</summary>
    public const string ProductCallbacks = "product-callbacks";

    /// <summary>Consumes integrations.inbound.v1 (<see cref="InboundTopicHandler"/>): routes each verified inbound request to its tenants as inbound.received events.</summary>
    public const string Inbound = "inbound";

    /// <summary>Runs due schedules (ADR 0021): claims them once across processes, heartbeats them, recovers the runs of dead workers.</summary>
    public const string Schedules = "schedules";

    /// <summary>The SMTP listener for self-hosters (ADR 0032): takes mail for the tenants' active addresses and stores it as inbound requests before answering 250.</summary>
    public const string EmailSmtp = "email-smtp";

    private sealed record Pipeline(string Name, Action<IServiceCollection, IConfiguration> Register);

    // In the order they start.
    private static readonly Pipeline[] Pipelines =
    [
        new(OutboxRelay, (services, _) =>
        {
            services.AddOutboxRelay();
            services.AddOutboxSweeper();
            // The sweeper republishes an events message only once this group has passed it or caught up.
            services.Configure<OutboxOptions>(o => o.CompletingGroups[Topics.Events] = EventsTopicHandler.Group);
            services.Configure<OutboxOptions>(o => o.CompletingGroups[Topics.Inbound] = InboundTopicHandler.Group);
        }),
        new(EventsDispatch, (services, _) => services.AddKafkaBatchConsumer<EventsTopicHandler>()),
        new(WebhookDelivery, (services, configuration) => services.AddWebhookDispatcher(configuration)),
        new(Projections, (services, _) => services.AddProjectionDaemon()),
        new(Connections, (services, _) =>
        {
            services.AddConnectionSweeps();
            services.AddRegistrationSweep();
        }),
        new(Notifications, (services, configuration) => services.AddNotificationMail(configuration)),
        new(ProductCallbacks, (services, configuration) =>
        {
            // Settings that would let a command hold the consumer past its poll interval stop the host at once, in one line.
            if (ProductBridgeServiceCollectionExtensions.ReadCallbackOptions(configuration).Problem() is { } problem) throw new WorkerConfigurationException(problem);
            services.AddProductCallbackSender(configuration);
            services.AddScoped<ProductCallbackDelivery>();
            services.AddKafkaBatchConsumer<ProductCommandsTopicHandler>();
        }),
        new(Connectors, (services, configuration) => services.AddConnectorCalls(configuration)),
        new(Inbound, (services, configuration) =>
        {
            services.AddInboundProcessing(configuration);
            services.AddKafkaBatchConsumer<InboundTopicHandler>();
        }),
        new(Schedules, (services, _) => services.AddScheduleRunner()),
        new(EmailSmtp, (services, configuration) => services.AddEmailSmtpListener(configuration)),
    ];

    /// <summary>Every pipeline the host knows, in start order.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. Pipelines.Select(p => p.Name)];

    /// <summary>The pipelines <c>Workers:Pipelines</c> selects, in start order; throws <see cref="WorkerConfigurationException"/> for a name it does not know.</summary>
    public static IReadOnlyList<string> Select(IConfiguration configuration)
    {
        var section = configuration.GetSection(ConfigurationKey);
        IEnumerable<string> values = section.Value is { } single ? [single] : section.GetChildren().Select(c => c.Value ?? "");
        var requested = values
            .SelectMany(v => v.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            .Select(n => n.ToLowerInvariant())
            .Distinct()
            .ToList();
        var unknown = requested.Where(n => n != All && !Names.Contains(n)).ToList();
        if (unknown.Count > 0)
            throw new WorkerConfigurationException(
                $"{ConfigurationKey} names {(unknown.Count == 1 ? "a pipeline" : "pipelines")} this host does not know: {string.Join(", ", unknown.Select(n => $"'{n}'"))}. " +
                $"Valid pipelines: {string.Join(", ", Names)}; or {All} (the default) for every one.");
        return requested.Count == 0 || requested.Contains(All) ? Names : [.. Names.Where(requested.Contains)];
    }

    /// <summary>Registers the selected pipelines, and a line in the log at start saying which run.</summary>
    public static IServiceCollection AddWorkerPipelines(this IServiceCollection services, IConfiguration configuration, IReadOnlyList<string> selected)
    {
        services.AddSingleton(new RunningPipelines(selected));
        services.AddHostedService<RunningPipelinesLog>();
        foreach (var pipeline in Pipelines.Where(p => selected.Contains(p.Name))) pipeline.Register(services, configuration);
        return services;
    }
}

/// <summary>The pipelines this Workers process runs, in start order.</summary>
public sealed record RunningPipelines(IReadOnlyList<string> Names);

/// <summary>Says at start which pipelines the process runs.</summary>
internal sealed class RunningPipelinesLog(RunningPipelines pipelines, ILogger<RunningPipelinesLog> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        logger.LogInformation("Running the Workers pipelines {Pipelines} (of {Known}; {Key})",
            string.Join(", ", pipelines.Names), string.Join(", ", WorkerPipelines.Names), WorkerPipelines.ConfigurationKey);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>A Workers setting the host cannot start with; the message says what is wrong and what is valid.</summary>
public sealed class WorkerConfigurationException(string message) : Exception(message);
