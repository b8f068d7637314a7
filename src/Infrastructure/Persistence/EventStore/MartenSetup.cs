using Integrations.Application.Common;
using Integrations.Infrastructure.Persistence.Projections;
using JasperFx;
using JasperFx.Events;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using JasperFx.MultiTenancy;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Weasel.Core;

namespace Integrations.Infrastructure.Persistence.EventStore;

/// <summary>
/// The one Marten store of a host (ADR 0011): events only (no documents), in a schema of its own
/// beside our tables, created by our migrations (0022) and never changed by Marten at run time.
/// </summary>
public static class MartenSetup
{
    /// <summary>Marten's tables (mt_events, mt_streams, progress) live here; our read models stay in public.</summary>
    public const string Schema = "marten";

    public static IServiceCollection AddMartenEventStore(this IServiceCollection services)
    {
        services.AddMarten(provider =>
            {
                var options = Options(provider.GetRequiredService<EventTypeRegistry>(), provider.GetServices<SqlProjection>());
                options.Logger(new MartenLogger(provider.GetRequiredService<Microsoft.Extensions.Logging.ILogger<MartenLogger>>()));
                return options;
            })
            .UseNpgsqlDataSource();
        return services;
    }

    /// <summary>
    /// Runs Marten's async daemon in this host, for the async projections: hot/cold, so of all the
    /// processes running it one at a time projects (leader by advisory lock) and another takes over
    /// when it dies. What Marten's AddAsyncDaemon(HotCold) registers; the store is built by AddMartenEventStore.
    /// </summary>
    public static IServiceCollection AddProjectionDaemon(this IServiceCollection services)
    {
        services.ConfigureMarten(options => options.Projections.AsyncMode = DaemonMode.HotCold);
        services.AddSingleton<Marten.Events.Daemon.Coordination.IProjectionCoordinator, Marten.Events.Daemon.Coordination.ProjectionCoordinator>();
        services.AddSingleton<Microsoft.Extensions.Hosting.IHostedService>(s => s.GetRequiredService<Marten.Events.Daemon.Coordination.IProjectionCoordinator>());
        services.AddSingleton<JasperFx.Events.Daemon.IProjectionCoordinator>(s => s.GetRequiredService<Marten.Events.Daemon.Coordination.IProjectionCoordinator>());
        services.AddHostedService<AsyncProjectionRebuilds>();
        return services;
    }

    /// <summary>The store's options; also what the schema test compares migration 0022 against.</summary>
    public static StoreOptions Options(EventTypeRegistry registry, IEnumerable<SqlProjection> projections)
    {
        var options = new StoreOptions
        {
            DatabaseSchemaName = Schema,
            // Migration 0022 holds Marten's DDL; a test checks it still matches this configuration.
            AutoCreateSchemaObjects = AutoCreate.None,
        };
        // No retries inside Marten: it always works in a transaction of ours, which a broken connection has ended
        // (a replay fails with "transaction is already completed"); the unit of work is retried or answered 503 as a whole.
        options.ConfigurePolly(_ => { });
        options.ConfigureWritePolly(_ => { });
        options.Events.StreamIdentity = StreamIdentity.AsString;
        options.Events.TenancyStyle = TenancyStyle.Conjoined;
        options.Policies.AllDocumentsAreMultiTenanted();
        // Rich: versions, global sequences and timestamps are known before the batch runs, so inline
        // projections and the outbox headers can use them (Quick leaves the sequence 0 inline).
        options.Events.AppendMode = EventAppendMode.Rich;
        // The daemon polls (250 ms) rather than LISTEN: a NOTIFY in every appending transaction would
        // serialize their commits on PostgreSQL's notification lock (see PostgresNotifier). It skips the
        // gap a rolled-back append leaves after half a second instead of three.
        options.Projections.StaleSequenceThreshold = TimeSpan.FromMilliseconds(500);
        options.Events.MetadataConfig.CorrelationIdEnabled = true;
        options.Events.MetadataConfig.CausationIdEnabled = true;
        options.Events.MetadataConfig.HeadersEnabled = true;
        // The wire format of every contract of ours (snake_case); stored names are the records' names, as before Marten.
        options.UseSystemTextJsonForSerialization(JsonDefaults.Create(), EnumStorage.AsString, Casing.SnakeCase);
        foreach (var (name, type) in registry.All) options.Events.MapEventType(type, name);
        foreach (var projection in projections)
            options.Projections.Add(projection, projection.Lifecycle, projection.Name, asyncConfiguration: async =>
            {
                // Qualified: Marten would read a bare name as one of its own schema.
                foreach (var table in projection.Tables) async.DeleteDataInTableOnTeardown("public." + table);
            });
        // The daemon loads only the event types an async projection applies, not the whole log (mostly deliveries).
        var handled = projections.ToDictionary(p => p.Name, p => p.Handles);
        foreach (var source in options.Projections.All)
            if (source is IEventFilterable filterable && handled.TryGetValue(source.Name, out var types))
                foreach (var type in types) filterable.IncludeType(type);
        return options;
    }
}
