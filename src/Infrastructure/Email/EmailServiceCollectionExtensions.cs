using Integrations.Application.Email;
using Integrations.Application.Email.Pipelines;
using Integrations.Application.Inbound;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Integrations.Infrastructure.Email;

public static class EmailServiceCollectionExtensions
{
    /// <summary>What both hosts need for the e-mail connector: its settings, addresses, threads and the MIME parser; the inbound pipeline's mail handler.</summary>
    public static IServiceCollection AddEmail(this IServiceCollection services, IConfiguration configuration)
    {
        var options = new EmailOptions();
        configuration.GetSection(EmailOptions.Section).Bind(options);
        if (options.Dkim.PrivateKeyPath is { Length: > 0 } keyPath && (!File.Exists(keyPath) || string.IsNullOrWhiteSpace(options.Dkim.Selector)))
            throw new InvalidOperationException($"{EmailOptions.Section}:Dkim:PrivateKeyPath must name a readable PEM file, with {EmailOptions.Section}:Dkim:Selector set.");
        services.AddSingleton(options);
        services.AddSingleton<IMailParser, MimeMailParser>();
        services.AddSingleton<IWebhookMailComposer, WebhookMailComposer>();
        services.AddScoped<IEmailAddresses, PostgresEmailAddresses>();
        services.AddScoped<IEmailThreads, PostgresEmailThreads>();
        services.AddScoped<IInboundRequestHandler, InboundMailHandler>();
        services.AddSingleton<IEmailReplySender, MailKitReplySender>();
        services.AddSingleton<Persistence.Projections.SqlProjection, Persistence.Projections.EmailAddressesProjection>();
        return services;
    }

    /// <summary>
    /// The Workers' SMTP listener (pipeline email-smtp). Without Email:InboundDomain there is no address it
    /// could take mail for: it does not listen, and says so at start (so <c>all</c> pipelines still start
    /// on a platform that does not use e-mail).
    /// </summary>
    public static IServiceCollection AddEmailSmtpListener(this IServiceCollection services, IConfiguration configuration)
    {
        var options = new EmailOptions();
        configuration.GetSection(EmailOptions.Section).Bind(options);
        if (string.IsNullOrWhiteSpace(options.InboundDomain))
        {
            services.AddHostedService<SmtpListenerOff>();
            return services;
        }
        if (options.Smtp.Port is < 0 or > 65535 || !System.Net.IPAddress.TryParse(options.Smtp.Bind, out _))
            throw new InvalidOperationException($"{EmailOptions.Section}:Smtp:Bind must be an IP address and :Port 0 to 65535.");
        if (options.Smtp.MaxMessageBytes < 1024) throw new InvalidOperationException($"{EmailOptions.Section}:Smtp:MaxMessageBytes must be at least 1024.");
        services.AddSingleton<MailIntake>();
        services.AddSingleton<SmtpMailListener>();
        services.AddHostedService(provider => provider.GetRequiredService<SmtpMailListener>());
        return services;
    }
}

/// <summary>Says at start that the SMTP listener is off, and why.</summary>
internal sealed class SmtpListenerOff(Microsoft.Extensions.Logging.ILogger<SmtpListenerOff> logger) : Microsoft.Extensions.Hosting.IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        Microsoft.Extensions.Logging.LoggerExtensions.LogWarning(logger, "The SMTP listener (pipeline email-smtp) is not listening: Email:InboundDomain is not set");
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
