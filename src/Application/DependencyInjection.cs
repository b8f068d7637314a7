using System.Reflection;
using FluentValidation;
using Integrations.Application.Common.Behaviours;
using Integrations.Application.Common.EventSourcing;
using Integrations.Application.Common.Pipelines;
using Integrations.Application.Events;
using Integrations.Application.Events.Commands.IngestEvent;
using Integrations.Application.WebhookDeliveries;
using Integrations.Application.WebhookDeliveries.Pipelines.Dispatch;
using MediatR;
using Microsoft.Extensions.DependencyInjection;

namespace Integrations.Application;

public static class DependencyInjection
{
    /// <summary>
    /// MediatR 5 and FluentValidation without their DI extension packages (not in our registry,
    /// ADR 0004): handlers and validators are found by scanning this assembly.
    /// </summary>
    public static IServiceCollection AddApplication(this IServiceCollection services)
    {
        var assembly = Assembly.GetExecutingAssembly();
        services.AddScoped<ServiceFactory>(provider => type => provider.GetService(type)!);
        services.AddScoped<IMediator, Mediator>();
        services.AddScoped<AggregateStore>();
        services.AddScoped<IdempotencyOutcome>();
        services.AddScoped<EventRecorder>();
        services.AddSingleton<EventGroupCommitter>();
        services.AddConnectorRoutes();
        services.AddScoped<Schedules.ScheduleAggregate>();
        services.AddSingleton<Schedules.ScheduleTimes>();
        services.AddScoped<Schedules.ScheduledJobs>();
        services.AddScoped<WebhookFanOut>();
        services.AddScoped<Email.Commands.AcceptMail.MailAcceptance>();
        services.AddScoped<WebhookDeliveryLedger>();
        services.AddScoped<DeadLetterRequeue>();
        services.AddScoped<EndpointDeadLetterRecovery>();
        services.AddScoped<WebhookEndpoints.WebhookEndpointAggregate>();
        services.AddScoped<WebhookEndpoints.WebhookEndpointDisabler>();
        services.AddScoped<WebhookEndpoints.WebhookEndpointIncidents>();
        services.AddScoped<WebhookEndpoints.WebhookEndpointCreator>();
        services.AddScoped<Apps.AppAggregate>();
        services.AddScoped<OAuth.OAuthGrants>();
        services.AddScoped<Notifications.IncidentLog>();
        services.AddConnections();
        services.AddScoped<ProductBridge.ProductCommandSender>();
        services.AddScoped<ProductBridge.ProductCallbackAggregate>();

        foreach (var type in assembly.GetTypes().Where(t => t is { IsClass: true, IsAbstract: false, IsGenericTypeDefinition: false }))
        {
            foreach (var contract in type.GetInterfaces().Where(i => i.IsGenericType))
            {
                var definition = contract.GetGenericTypeDefinition();
                if (definition == typeof(IRequestHandler<,>) || definition == typeof(IValidator<>))
                    services.AddTransient(contract, type);
            }
        }

        // Registration order is nesting order: logging outermost, idempotency innermost (inside the transaction).
        services.AddTransient(typeof(IPipelineBehavior<,>), typeof(LoggingBehaviour<,>));
        services.AddTransient(typeof(IPipelineBehavior<,>), typeof(UnhandledExceptionBehaviour<,>));
        services.AddTransient(typeof(IPipelineBehavior<,>), typeof(ValidationBehaviour<,>));
        services.AddTransient(typeof(IPipelineBehavior<,>), typeof(TransactionBehaviour<,>));
        services.AddTransient(typeof(IPipelineBehavior<,>), typeof(IdempotencyBehaviour<,>));
        return services;
    }

    /// <summary>The connections' use cases that are services rather than handlers (shared by several handlers and the Workers' sweeps).</summary>
    private static IServiceCollection AddConnections(this IServiceCollection services)
    {
        services.AddScoped<Connections.ConnectionAggregate>();
        services.AddScoped<Connections.ConnectFlow>();
        services.AddScoped<Connectors.ProviderConnectionReads>();
        services.AddScoped<Connections.TokenRefresher>();
        services.AddScoped<Connections.ConnectionHealthChecker>();
        services.AddScoped<Connections.IConnectionAccess, Connections.ConnectionAccessService>();
        services.AddScoped<Connections.Pipelines.TokenSweep>();
        services.AddScoped<Connections.Pipelines.HealthSweep>();
        services.AddSingleton<Connectors.Registrations.ProviderRegistrars>();
        services.AddScoped<Connectors.Registrations.RegistrationChecker>();
        services.AddScoped<Connectors.Registrations.RegistrationSweep>();
        return services;
    }

    /// <summary>
    /// The steps of the webhook-delivery pipeline (<see cref="WebhookDeliveryPipeline"/>), one set
    /// per process. The host that runs it registers the adapters of its ports and its options
    /// (<see cref="WebhookDispatcherOptions"/>) beside them (Infrastructure's AddWebhookDispatcher).
    /// </summary>
    public static IServiceCollection AddWebhookDeliveryPipeline(this IServiceCollection services)
    {
        services.AddSingleton<DispatchState>();
        services.AddSingleton<EndpointLoad>();
        services.AddSingleton<DeliveryAdmission>();
        services.AddSingleton<DeliverySigner>();
        services.AddSingleton<DeliveryAttempts>();
        services.AddSingleton<DeliveryResultRecorder>();
        services.AddSingleton<WebhookDeliveryPipeline>();
        return services;
    }

    /// <summary>Routes and the connector pipeline's routing step (both hosts: the API manages routes, the Workers route events).</summary>
    private static IServiceCollection AddConnectorRoutes(this IServiceCollection services)
    {
        services.AddScoped<Connectors.RouteAggregate>();
        services.AddSingleton<Connectors.Pipelines.Routing.RouteCache>();
        services.AddScoped<Connectors.Pipelines.Routing.ConnectorRouting>();
        return services;
    }

    /// <summary>
    /// The steps of the connector call pipeline (<see cref="Connectors.Pipelines.Calls.ConnectorCallPipeline"/>), one set per
    /// process. The host that runs it registers the adapters of its ports and <see cref="Connectors.ConnectorsOptions"/>
    /// beside them (Infrastructure's AddConnectorCalls).
    /// </summary>
    public static IServiceCollection AddConnectorCallPipeline(this IServiceCollection services)
    {
        services.AddSingleton<Connectors.Pipelines.Calls.ConnectorCallsState>();
        services.AddSingleton<Connectors.Pipelines.Calls.ConnectorLoad>();
        services.AddSingleton<Connectors.Pipelines.Calls.ConnectionAccessCache>();
        services.AddSingleton<Connectors.Pipelines.Calls.CallAttempts>();
        services.AddSingleton<Connectors.Pipelines.Calls.CallResultRecorder>();
        services.AddSingleton<Connectors.Pipelines.Calls.ConnectorCallPipeline>();
        return services;
    }
}
