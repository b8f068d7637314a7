using Integrations.Application.Connectors;
using Integrations.Application.Schedules;
using Integrations.Application.Schedules.Pipelines.Runner;
using Integrations.Infrastructure.Connectors;
using Integrations.Infrastructure.Webhooks;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Integrations.Infrastructure.Persistence.Projections;
using Integrations.Infrastructure.Persistence.ReadModels;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Integrations.Infrastructure.Schedules;

public static class ScheduleServiceCollectionExtensions
{
    /// <summary>What both hosts need for schedules: the projection and read model, the job kinds, and the settings (validated at start-up).</summary>
    public static IServiceCollection AddSchedules(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<SqlProjection, SchedulesProjection>();
        services.AddScoped<IScheduleReadModel, ScheduleReadModel>();
        services.TryAddSingleton<QuotaCounters>();
        // The webhooks' SSRF switch: one rule for every URL a tenant gives the platform.
        services.AddSingleton(provider => new ScheduleHttpClient(provider.GetRequiredService<ConnectorsOptions>(),
            () => configuration.GetValue<bool>(WebhookUrlSafetyChecker.AllowPrivateNetworkTargetsSetting)));
        services.AddScoped<IScheduledJob, HttpPollJob>();
        services.AddScoped<IScheduleRunLedger, ScheduleRunLedger>();
        // Read when first resolved (hosts and tests add configuration after registration), and validated at start-up.
        services.AddSingleton(_ =>
        {
            var options = new SchedulesOptions();
            configuration.GetSection(SchedulesOptions.Section).Bind(options);
            options.Validate();
            return options;
        });
        services.AddOptions<OptionsChecked>().Configure<SchedulesOptions>((_, _) => { }).ValidateOnStart();
        return services;
    }

    /// <summary>The Workers' schedules pipeline: Application's runner, the adapter of its claims, and the background service that runs it.</summary>
    public static IServiceCollection AddScheduleRunner(this IServiceCollection services)
    {
        services.AddSingleton<IScheduleRunClaims, ScheduleRunClaims>();
        services.AddSingleton<ScheduleRunnerPipeline>();
        // One instance, reachable as itself too (tests read how many runs it holds).
        services.AddSingleton<ScheduleRunner>();
        services.AddHostedService(provider => provider.GetRequiredService<ScheduleRunner>());
        return services;
    }

    private sealed class OptionsChecked;
}
