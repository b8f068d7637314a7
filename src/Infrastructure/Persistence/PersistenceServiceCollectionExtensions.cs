using Integrations.Application.Common.Interfaces;
using Integrations.Domain.Tenants;
using Integrations.Infrastructure.Persistence.EventSourcing;
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
            return new NpgsqlDataSourceBuilder(connectionString).UseLoggerFactory(provider.GetService<ILoggerFactory>()).Build();
        });
        services.AddSingleton<DatabaseMigrator>();

        services.AddScoped<RequestContext>();
        services.AddScoped<IRequestContext>(provider => provider.GetRequiredService<RequestContext>());
        services.AddScoped<DbSession>();
        services.AddScoped<IUnitOfWork, UnitOfWork>();

        services.AddSingleton(new EventTypeRegistry(typeof(ITenantEvent).Assembly));
        services.AddSingleton<IProjection, TenantsProjection>();
        services.AddSingleton<IProjection, EventsProjection>();
        services.AddSingleton<IProjection, WebhookEndpointsProjection>();
        services.AddSingleton<IProjectionRebuilder, ProjectionRebuilder>();
        services.AddScoped<IEventStore, PostgresEventStore>();
        services.AddScoped<IIdempotencyStore, PostgresIdempotencyStore>();

        services.AddScoped<ITenantReadModel, TenantReadModel>();
        services.AddScoped<IApiKeyReadModel, ApiKeyReadModel>();
        services.AddScoped<IEventReadModel, EventReadModel>();
        services.AddScoped<IWebhookEndpointReadModel, WebhookEndpointReadModel>();
        services.AddScoped<IAppCatalogue, AppCatalogue>();
        services.AddScoped<IMemberReadModel, MemberReadModel>();

        // Idempotency records and endpoint secrets are encrypted at rest with the platform key.
        services.AddSecretProtection(configuration);
        return services;
    }
}
