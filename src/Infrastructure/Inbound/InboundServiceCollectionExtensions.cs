using Integrations.Application.Inbound;
using Integrations.Application.Inbound.Commands.ReceiveInbound;
using Integrations.Application.Inbound.Pipelines;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Integrations.Infrastructure.Inbound;

public static class InboundServiceCollectionExtensions
{
    /// <summary>What both hosts need for inbound webhooks: the requests and the sources.</summary>
    public static IServiceCollection AddInbound(this IServiceCollection services)
    {
        services.AddScoped<IInboundRequests, PostgresInboundRequests>();
        services.AddScoped<PostgresInboundSources>();
        services.AddScoped<IInboundSources>(provider => provider.GetRequiredService<PostgresInboundSources>());
        services.AddScoped<IInboundSourceVerifiers>(provider => provider.GetRequiredService<PostgresInboundSources>());
        services.AddSingleton<Persistence.Projections.SqlProjection, Persistence.Projections.InboundSourcesProjection>();
        return services;
    }

    /// <summary>The Workers' inbound pipeline: its bounds and its step (the consumer is the host's).</summary>
    public static IServiceCollection AddInboundProcessing(this IServiceCollection services, IConfiguration configuration)
    {
        var options = new InboundOptions();
        configuration.GetSection(InboundOptions.Section).Bind(options);
        if (options.MaxConcurrency < 1) throw new InvalidOperationException($"{InboundOptions.Section}:MaxConcurrency must be at least 1.");
        if (options.MaxConcurrencyPerProvider < 1) throw new InvalidOperationException($"{InboundOptions.Section}:MaxConcurrencyPerProvider must be at least 1.");
        if (options.Retention < InboundOptions.MinimumRetention)
            throw new InvalidOperationException($"{InboundOptions.Section}:Retention must be at least {InboundOptions.MinimumRetention} (providers retry for a day; replays are refused only while a request is kept).");
        if (options.RetentionSweepInterval <= TimeSpan.Zero || options.SilenceCheckInterval <= TimeSpan.Zero)
            throw new InvalidOperationException($"{InboundOptions.Section}:RetentionSweepInterval and :SilenceCheckInterval must be positive.");
        services.AddSingleton(options);
        services.AddSingleton<InboundProcessing>();
        services.AddSingleton<InboundRetention>();
        services.AddHostedService<InboundRetentionService>();
        services.AddScoped<InboundSilenceSweep>();
        services.AddHostedService<InboundSilenceSweepService>();
        return services;
    }
}
