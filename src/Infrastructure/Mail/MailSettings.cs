using Integrations.Application.Notifications.Pipelines.Mail;
using Integrations.Domain.Webhooks;
using MailKit.Security;
using Microsoft.Extensions.Configuration;
using MimeKit;

namespace Integrations.Infrastructure.Mail;

/// <summary>
/// The Mail:* settings (docs/configuration.md): the SMTP server the notifications pipeline sends
/// through, and how it paces the queue. Read and checked when the Workers host starts; a setting it
/// cannot use stops the start with a message naming it. Without Mail:Host nothing is sent (mails wait).
/// </summary>
public sealed class MailSettings
{
    public const string Section = "Mail";

    public string? Host { get; private init; }

    public int Port { get; private init; }

    public SecureSocketOptions Tls { get; private init; }

    public string? Username { get; private init; }

    /// <summary>Never logged, never in an exception message of ours.</summary>
    public string? Password { get; private init; }

    public MailboxAddress From { get; private init; } = new("Integrations", "notifications@localhost");

    /// <summary>How long one SMTP command may take.</summary>
    public TimeSpan Timeout { get; private init; } = TimeSpan.FromSeconds(30);

    /// <summary>After repeated failures to reach the server, how long nothing is tried.</summary>
    public TimeSpan CircuitBreakDuration { get; private init; } = TimeSpan.FromSeconds(30);

    public NotificationMailOptions Pipeline { get; private init; } = new();

    public static MailSettings Read(IConfiguration configuration)
    {
        var section = configuration.GetSection(Section);
        var host = section["Host"] is { Length: > 0 } h ? h.Trim() : null;
        var tls = (section["Tls"] ?? "starttls").Trim().ToLowerInvariant() switch
        {
            "none" => SecureSocketOptions.None,
            "starttls" => SecureSocketOptions.StartTls,
            "implicit" => SecureSocketOptions.SslOnConnect,
            var other => throw Invalid("Tls", $"'{other}' is not a TLS mode: use none, starttls or implicit"),
        };
        var port = Number(section, "Port", tls switch { SecureSocketOptions.None => 25, SecureSocketOptions.SslOnConnect => 465, _ => 587 });
        if (port is < 1 or > 65535) throw Invalid("Port", "it must be between 1 and 65535");

        var from = new MailboxAddress("Integrations", "notifications@localhost");
        if (section["From"] is { Length: > 0 } fromText && (!MailboxAddress.TryParse(fromText, out from) || !from.Address.Contains('@', StringComparison.Ordinal)))
            throw Invalid("From", "it must be an address such as 'Integrations <notifications@example.com>'");
        if (host is not null && section["From"] is not { Length: > 0 }) throw Invalid("From", "it is required with Mail:Host");

        var baseUrl = section["BaseUrl"];
        if (host is not null && string.IsNullOrWhiteSpace(baseUrl)) throw Invalid("BaseUrl", "it is required with Mail:Host (the console's or the API's URL, for links in mails)");
        if (!string.IsNullOrWhiteSpace(baseUrl) && (!Uri.TryCreate(baseUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")))
            throw Invalid("BaseUrl", "it must be an absolute http or https URL");

        var username = section["Username"] is { Length: > 0 } u ? u : null;
        var timeout = Duration(section, "Timeout", TimeSpan.FromSeconds(30));
        var batchSize = Number(section, "BatchSize", 50);
        if (batchSize is < 1 or > 1000) throw Invalid("BatchSize", "it must be between 1 and 1000");
        return new MailSettings
        {
            Host = host,
            Port = port,
            Tls = tls,
            Username = username,
            Password = username is null ? null : section["Password"] ?? throw Invalid("Password", "it is required with Mail:Username"),
            From = from,
            Timeout = timeout,
            CircuitBreakDuration = Duration(section, "CircuitBreakDuration", TimeSpan.FromSeconds(30)),
            Pipeline = new NotificationMailOptions
            {
                Enabled = host is not null,
                BaseUrl = string.IsNullOrWhiteSpace(baseUrl) ? new NotificationMailOptions().BaseUrl : baseUrl.Trim().TrimEnd('/'),
                BatchSize = batchSize,
                PollInterval = Duration(section, "PollInterval", TimeSpan.FromSeconds(2)),
                GiveUpAfter = Duration(section, "GiveUpAfter", TimeSpan.FromDays(3)),
                RetrySchedule = section["RetrySchedule"] is { Length: > 0 } schedule ? Schedule(schedule) : new NotificationMailOptions().RetrySchedule,
                // A claimed batch is held until it can have been sent one mail after the other, each within the timeout.
                Lease = TimeSpan.FromTicks(Math.Max(TimeSpan.FromMinutes(5).Ticks, timeout.Ticks * (batchSize + 3))),
            },
        };
    }

    private static InvalidOperationException Invalid(string key, string why) => new($"{Section}:{key} is invalid: {why}.");

    private static int Number(IConfigurationSection section, string key, int fallback) =>
        section[key] is not { Length: > 0 } text ? fallback
        : int.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var value) ? value
        : throw Invalid(key, $"'{text}' is not a whole number");

    private static TimeSpan Duration(IConfigurationSection section, string key, TimeSpan fallback)
    {
        if (section[key] is not { Length: > 0 } text) return fallback;
        if (!TimeSpan.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var value) || value <= TimeSpan.Zero)
            throw Invalid(key, $"'{text}' is not a positive duration (hh:mm:ss, or d.hh:mm:ss)");
        return value;
    }

    private static IReadOnlyList<TimeSpan> Schedule(string text)
    {
        try
        {
            var schedule = RetryPolicy.ParseSchedule(text);
            if (schedule.Count == 0 || schedule.Any(d => d <= TimeSpan.Zero)) throw new FormatException("the delays must be positive");
            return schedule;
        }
        catch (FormatException ex)
        {
            throw Invalid("RetrySchedule", ex.Message.TrimEnd('.') + " (e.g. 30s,1m,5m,15m,30m,1h)");
        }
    }
}
