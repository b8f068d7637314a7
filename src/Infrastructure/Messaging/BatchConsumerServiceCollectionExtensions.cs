using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Integrations.Infrastructure.Messaging;

public static class BatchConsumerServiceCollectionExtensions
{
    /// <summary>Runs <typeparamref name="THandler"/> as a member of its consumer group, one DI scope per batch.</summary>
    public static IServiceCollection AddKafkaBatchConsumer<THandler>(this IServiceCollection services)
        where THandler : class, IBatchMessageHandler
    {
        services.TryAddScoped<THandler>();
        return services.AddHostedService<KafkaBatchConsumerService<THandler>>();
    }
}
