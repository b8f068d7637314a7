using Integrations.Application.Apps;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Connections.Credentials;
using Integrations.Application.OAuth;
using Integrations.Domain.Tenants;
using Integrations.Infrastructure.Persistence.Credentials;
using Integrations.Infrastructure.Persistence.EventStore;
using Integrations.Infrastructure.Persistence.Idempotency;
using Integrations.Infrastructure.Persistence.Projections;
using Integrations.Infrastructure.Persistence.ReadModels;
using Integrations.Infrastructure.Security;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Integrations.Infrastructure.Persistence;

public static class PersistenceServiceCollectionExtensions
{
    public const string ConnectionStringName = "Postgres";

    /// <summary>Statements auto-prepared per connection unless the connection string says otherwise.</summary>
    public const int DefaultMaxAutoPrepare = 100;

    /// <summary>
    /// Every statement of the platform is one of a few dozen fixed texts run thousands of times:
    /// Npgsql prepares the most used ones per connection (<c>Max Auto Prepare</c>), which saves
    /// PostgreSQL's parse and plan on each execution. A connection string that sets it (0 turns it
    /// off, e.g. behind PgBouncer in transaction mode before 1.21) wins. Likewise pooled
    /// connections are not reset when returned (<c>No Reset On Close</c>): the reset is a statement
    /// and a transaction of its own on each borrowing (3.6 per accepted event in the webhook
    /// benchmark). The platform keeps no session state on pooled connections, and code that
    /// takes some (the relay's advisory lock and LISTEN) releases it explicitly.
    /// </summary>
    public static string WithPerformanceDefaults(string connectionString)
    {
        var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString };
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (!given.ContainsKey("Max Auto Prepare") && !given.ContainsKey("MaxAutoPrepare"))
        {
            builder.MaxAutoPrepare = DefaultMaxAutoPrepare;
            // The fixed statements are planned once per connection (a generic plan), not on every
            // execution: planning took more of PostgreSQL's CPU than executing at a steady
            // 200 events/s in the webhook benchmark, where each transaction carries one or two rows.
            // Their plans do not depend on the values: lookups by key, inserts and updates by key
            // from arrays, and reads written as one index probe per key (LATERAL ... LIMIT 1), so a
            // plan made while a table was small stays right as it grows. PostgreSQL's default (auto)
            // kept planning them for their values as well. The lists, whose filters and sizes vary,
            // are planned per execution (KeysetQuery).
            if (builder.Options?.Contains("plan_cache_mode", StringComparison.Ordinal) != true)
                builder.Options = WithOption(builder.Options, "-c plan_cache_mode=force_generic_plan");
        }
        // JIT compilation pays off for long analytical queries only. The planner expects hundreds of
        // events per stream where most streams hold one or two, so the batch reads of es_events
        // crossed jit_above_cost and spent 40-580 ms compiling (in the webhook benchmark, found with
        // auto_explain) for queries that then ran in under a millisecond.
        if (builder.Options?.Contains("jit", StringComparison.Ordinal) != true)
            builder.Options = WithOption(builder.Options, "-c jit=off");
        if (!given.ContainsKey("No Reset On Close") && !given.ContainsKey("NoResetOnClose")) builder.NoResetOnClose = true;
        return builder.ConnectionString;
    }

    private static string WithOption(string? options, string option) =>
        string.IsNullOrWhiteSpace(options) ? option : options + " " + option;

    /// <summary>The PostgreSQL side of every port: event store, projections, read models, idempotency, unit of work.</summary>
    public static IServiceCollection AddPersistence(this IServiceCollection services, IConfiguration configuration)
    {
        // Read when first resolved, not now: hosts and tests may add configuration after registration.
        services.AddSingleton(provider =>
        {
            var connectionString = configuration.GetConnectionString(ConnectionStringName);
            if (string.IsNullOrWhiteSpace(connectionString))
                throw new InvalidOperationException(
                    $"ConnectionStrings:{ConnectionStringName} is not configured. Set it in appsettings or as the environment variable ConnectionStrings__{ConnectionStringName}.");
            return new NpgsqlDataSourceBuilder(WithPerformanceDefaults(connectionString)).UseLoggerFactory(provider.GetService<ILoggerFactory>()).Build();
        });
        services.AddSingleton<DatabaseMigrator>();

        services.AddScoped<RequestContext>();
        services.AddScoped<IRequestContext>(provider => provider.GetRequiredService<RequestContext>());
        services.AddSingleton<IWorkScopeFactory, WorkScopeFactory>();
        services.AddSingleton<PostgresNotifier>();
        services.AddScoped<DbSession>();
        services.AddScoped<IUnitOfWork, UnitOfWork>();
        // Key and plan changes announced after the commit that makes them (the API keys' cache, ADR 0005).
        services.AddScoped<ICredentialChanges, Security.ApiKeys.CredentialChanges>();

        services.AddSingleton(new EventTypeRegistry(typeof(ITenantEvent).Assembly));
        services.AddSingleton<SqlProjection, TenantsProjection>();
        services.AddSingleton<SqlProjection, EventsProjection>();
        services.AddSingleton<SqlProjection, WebhookEndpointsProjection>();
        services.AddSingleton<SqlProjection, MembersProjection>();
        services.AddSingleton<SqlProjection, OAuthAppsProjection>();
        services.AddSingleton<SqlProjection, OAuthGrantsProjection>();
        services.AddSingleton<SqlProjection, NotificationsProjection>();
        services.AddMartenEventStore();
        services.AddSingleton<IProjectionRebuilder, ProjectionRebuilder>();
        services.AddSingleton<IProjectionStatus, ProjectionStatus>();
        services.AddScoped<IEventStore, MartenEventStore>();
        services.AddScoped<IIdempotencyStore, PostgresIdempotencyStore>();

        services.AddScoped<ITenantReadModel, TenantReadModel>();
        services.AddScoped<Application.DeadLetters.IDeadLetterReadModel, DeadLetterReadModel>();
        services.AddScoped<Application.DeliveryStats.IDeliveryStatsReadModel, DeliveryStatsReadModel>();
        services.AddScoped<IApiKeyReadModel, ApiKeyReadModel>();
        services.AddScoped<IEventReadModel, EventReadModel>();
        services.AddScoped<IWebhookEndpointReadModel, WebhookEndpointReadModel>();
        services.AddScoped<Application.Hooks.IHookReadModel, HookReadModel>();
        services.AddScoped<IAppCatalogue, AppCatalogue>();
        services.AddScoped<IMemberReadModel, MemberReadModel>();
        services.AddScoped<ICredentialVault, PostgresCredentialVault>();
        services.AddScoped<ICredentialKeyRotation, PostgresCredentialKeyRotation>();
        services.AddScoped<Application.Notifications.INotificationReadModel, NotificationReadModel>();
        services.AddScoped<Application.Notifications.INotificationMailQueue, Notifications.PostgresNotificationMailQueue>();

        // Idempotency records and endpoint secrets are encrypted at rest with the platform key, which also wraps the credentials' data keys.
        services.AddSecretProtection(configuration);
        return services;
    }
}
