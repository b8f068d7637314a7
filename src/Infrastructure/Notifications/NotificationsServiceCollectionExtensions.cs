using Integrations.Application.Notifications;
using Integrations.Application.Notifications.Pipelines.Mail;
using Integrations.Infrastructure.Mail;
using Integrations.Infrastructure.Persistence.Projections;
using Integrations.Infrastructure.Persistence.ReadModels;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Integrations.Infrastructure.Notifications;

public static class NotificationsServiceCollectionExtensions
{
    /// <summary>Both hosts: the notifications read model and projection, and the mail queue the incident log writes to.</summary>
    public static IServiceCollection AddNotifications(this IServiceCollection services)
    {
        services.AddSingleton<SqlProjection, NotificationsProjection>();
        services.AddScoped<INotificationReadModel, NotificationReadModel>();
        services.AddScoped<INotificationMailQueue, PostgresNotificationMailQueue>();
        return services;
    }

    /// <summary>The Workers' notifications pipeline: sends the queued mails over SMTP (Mail:*). Reads and checks the settings now.</summary>
    public static IServiceCollection AddNotificationMail(this IServiceCollection services, IConfiguration configuration)
    {
        var settings = MailSettings.Read(configuration);
        services.AddSingleton(settings);
        services.AddSingleton(settings.Pipeline);
        services.AddSingleton<NotificationMailComposer>();
        services.AddSingleton<IMailSender, MailKitMailSender>();
        services.AddSingleton<INotificationMailOutbox, PostgresNotificationMailOutbox>();
        services.AddSingleton<NotificationMailPipeline>();
        services.AddHostedService<NotificationMailSender>();
        return services;
    }
}
