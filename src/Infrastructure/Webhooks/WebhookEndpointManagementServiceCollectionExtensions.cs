using Integrations.Application.Common.Interfaces;
using Integrations.Application.WebhookEndpoints;
using Integrations.Infrastructure.EventTypes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Integrations.Infrastructure.Webhooks;

public static class WebhookEndpointManagementServiceCollectionExtensions
{
    /// <summary>What endpoint management and event ingestion need beyond persistence: the SSRF guard, schemas, settings.</summary>
    public static IServiceCollection AddWebhookEndpointManagement(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<IUrlSafetyChecker>(_ => new WebhookUrlSafetyChecker(configuration));
        services.AddSingleton<Application.Hooks.IHookHandshake>(_ => new HookHandshake(configuration));
        services.AddSingleton<IEventSchemaValidator, CatalogEventSchemaValidator>();
        // Read when first resolved: hosts and tests may add configuration after registration.
        services.AddSingleton(_ => new WebhookEndpointOptions
        {
            SecretRotationOverlap = configuration.GetValue("Webhooks:SecretRotationOverlap", WebhookEndpointOptions.DefaultSecretRotationOverlap),
        });
        return services;
    }
}
