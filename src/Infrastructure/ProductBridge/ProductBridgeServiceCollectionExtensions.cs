using Integrations.Application.Common.Interfaces;
using Integrations.Application.Entities;
using Integrations.Application.ProductBridge;
using Integrations.Infrastructure.Persistence.Projections;
using Integrations.Infrastructure.Persistence.ReadModels;
using Integrations.Infrastructure.Webhooks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Integrations.Infrastructure.ProductBridge;

public static class ProductBridgeServiceCollectionExtensions
{
    /// <summary>What both hosts need for the product bridge (ADR 0015): its projections, read models and settings.</summary>
    public static IServiceCollection AddProductBridge(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<SqlProjection, ProductCommandsProjection>();
        services.AddSingleton<SqlProjection, ProductCallbacksProjection>();
        services.AddSingleton<SqlProjection, EntitiesProjection>();
        services.AddScoped<IProductCommandReadModel, ProductCommandReadModel>();
        services.AddScoped<IProductCallbackReadModel, ProductCallbackReadModel>();
        services.AddScoped<IEntityReadModel, EntityReadModel>();
        // Read when first resolved: hosts and tests may add configuration after registration.
        services.AddSingleton(_ => ReadCallbackOptions(configuration) is var options && options.Problem() is { } problem
            ? throw new InvalidOperationException(problem)
            : options);
        return services;
    }

    /// <summary>Sends commands to the tenants' callbacks (Workers host, pipeline product-callbacks).</summary>
    public static IServiceCollection AddProductCallbackSender(this IServiceCollection services, IConfiguration configuration)
    {
        // The webhooks' SSRF setting: one policy for every URL a tenant gives the platform.
        services.AddSingleton<IProductCallbackSender>(provider => new ProductCallbackSender(provider.GetRequiredService<ProductCallbackOptions>(),
            configuration.GetValue<bool>(WebhookUrlSafetyChecker.AllowPrivateNetworkTargetsSetting),
            provider.GetRequiredService<ISecretProtector>(), provider.GetRequiredService<IClock>()));
        return services;
    }

    /// <summary>The ProductBridge section as configured, not yet checked (<see cref="ProductCallbackOptions.Problem"/>).</summary>
    public static ProductCallbackOptions ReadCallbackOptions(IConfiguration configuration)
    {
        var options = new ProductCallbackOptions();
        configuration.GetSection(ProductCallbackOptions.SectionName).Bind(options);
        return options;
    }
}
