using Integrations.Application.Notifications.Pipelines.Mail;
using Integrations.Infrastructure.Mail;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Integrations.Infrastructure.Notifications;

public static class NotificationsServiceCollectionExtensions
{
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
