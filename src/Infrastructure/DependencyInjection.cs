using Integrations.Application.Common.Interfaces;
using Integrations.Infrastructure.Connectors;
using Integrations.Infrastructure.Connections;
using Integrations.Infrastructure.Email;
using Integrations.Infrastructure.Inbound;
using Integrations.Infrastructure.Messaging;
using Integrations.Infrastructure.Persistence;
using Integrations.Infrastructure.Providers;
using Integrations.Infrastructure.Schedules;
using Integrations.Infrastructure.ProductBridge;
using Integrations.Infrastructure.Webhooks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Integrations.Infrastructure;

public static class DependencyInjection
{
    /// <summary>Everything both hosts share: PostgreSQL persistence and the Kafka producer side.</summary>
    public static IServiceCollection AddInfrastructure(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<IClock, SystemClock>();
        services.AddPersistence(configuration);
        services.AddKafkaMessaging(configuration);
        services.AddWebhookEndpointManagement(configuration);
        services.AddWebhookDelivery(configuration);
        services.AddConnectorRuntime(configuration);
        services.AddSchedules(configuration);
        services.AddProviders(configuration);
        services.AddConnections(configuration);
        services.AddProductBridge(configuration);
        services.AddInbound();
        services.AddEmail(configuration);
        services.AddSingleton<Security.ApiKeys.ApiKeyCache>();
        return services;
    }
}
