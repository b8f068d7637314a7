using Integrations.Application;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.WebhookDeliveries;
using Integrations.Application.WebhookDeliveries.Pipelines.Dispatch;
using Integrations.Domain.Webhooks;
using Integrations.Infrastructure.Messaging;
using Integrations.Infrastructure.Persistence.Projections;
using Integrations.Infrastructure.Persistence.ReadModels;
using Integrations.Infrastructure.Webhooks.Delivery;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Integrations.Infrastructure.Webhooks;

public static class WebhookDeliveryServiceCollectionExtensions
{
    /// <summary>
    /// What both hosts need for deliveries: the projections, the queue's placement (the API's
    /// endpoint changes pause and resume queue rows, its retries and tests create deliveries), the
    /// read models and the delivery rules.
    /// </summary>
    public static IServiceCollection AddWebhookDelivery(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<SqlProjection, WebhookDeliveriesProjection>();
        services.AddSingleton<SqlProjection, WebhookEndpointHealthProjection>();
        services.AddSingleton<SqlProjection, WebhookDeliveryStatsProjection>();
        services.AddScoped<IWebhookDeliveryQueue, WebhookDeliveryQueueWriter>();
        services.AddScoped<IWebhookDeliveryReadModel, WebhookDeliveryReadModel>();
        services.AddScoped<IWebhookEndpointHealthReadModel, WebhookEndpointHealthReadModel>();
        // Read when first resolved: hosts and tests may add configuration after registration.
        services.AddSingleton(_ => DeliveryOptions(configuration));
        return services;
    }

    /// <summary>
    /// The webhook-delivery pipeline that sends queued deliveries (Workers host): Application's steps,
    /// the adapters of their ports (claims, sending, waking) and the background service that runs it.
    /// </summary>
    public static IServiceCollection AddWebhookDispatcher(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(_ => DispatcherOptions(configuration));
        services.AddWebhookDeliveryPipeline();
        services.AddSingleton<IWebhookDeliveryClaims, WebhookDeliveryQueue>();
        services.AddSingleton<IWebhookSender, WebhookSender>();
        services.AddSingleton<IDeliveryWakeups, WebhookDeliveryListener>();
        // One instance, reachable as itself too (tests read how many deliveries it holds).
        services.AddSingleton<WebhookDispatcher>();
        services.AddHostedService(provider => provider.GetRequiredService<WebhookDispatcher>());
        return services;
    }

    private static WebhookDeliveryOptions DeliveryOptions(IConfiguration configuration)
    {
        var schedule = configuration["Webhooks:RetrySchedule"] is { Length: > 0 } text ? RetryPolicy.ParseSchedule(text) : RetryPolicy.DefaultSchedule;
        var threshold = configuration.GetValue("Webhooks:AutoDisableAfterConsecutiveFailures", WebhookDeliveryOptions.DefaultAutoDisableAfterConsecutiveFailures);
        if (threshold < 1) throw new InvalidOperationException("Webhooks:AutoDisableAfterConsecutiveFailures must be at least 1.");
        // The dispatcher's settings, validated the same way in both hosts: the API shows the circuit the dispatchers apply.
        var dispatcher = DispatcherOptions(configuration);
        return new WebhookDeliveryOptions
        {
            RetrySchedule = schedule,
            AutoDisableAfterConsecutiveFailures = threshold,
            CircuitBreaker = dispatcher.CircuitBreaker.Settings,
            ProbeWait = dispatcher.ProbeWait,
        };
    }

    private static WebhookDispatcherOptions DispatcherOptions(IConfiguration configuration)
    {
        var options = new WebhookDispatcherOptions();
        configuration.GetSection(WebhookDispatcherOptions.SectionName).Bind(options);
        if (options.Timeout <= TimeSpan.Zero || options.MaxConcurrency < 1 || options.MaxConcurrencyPerEndpoint < 1 || options.ClaimBatchSize < 1
            || options.ResultBatchSize < 1 || options.PollInterval <= TimeSpan.Zero || options.Lease <= options.Timeout)
        {
            throw new InvalidOperationException(
                "Webhooks settings are invalid: Timeout, PollInterval and the sizes must be positive, and LeaseDuration longer than Timeout.");
        }
        var breaker = options.CircuitBreaker;
        if (breaker.FailureThreshold < 0 || breaker.OpenFor <= TimeSpan.Zero || breaker.MaxOpenFor < breaker.OpenFor)
        {
            throw new InvalidOperationException(
                "Webhooks:CircuitBreaker settings are invalid: FailureThreshold must be 0 (off) or more, OpenFor positive and MaxOpenFor at least OpenFor.");
        }
        return options;
    }
}
