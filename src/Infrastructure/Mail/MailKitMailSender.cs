using Integrations.Domain.Common;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Notifications.Pipelines.Mail;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Logging;
using MimeKit;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;

namespace Integrations.Infrastructure.Mail;

/// <summary>
/// Sends notification mail over SMTP with MailKit: one connection per batch. Reaching the server
/// (connect, TLS, AUTH) goes through a Polly pipeline: two quick retries with exponential backoff and
/// jitter, inside a circuit breaker that, once the server could not be reached twice in a row, stops
/// trying for <see cref="MailSettings.CircuitBreakDuration"/>: during an outage each batch is handed
/// back untried (<see cref="MailOutcome.NotAttempted"/>) instead of costing every queued mail a try.
/// Per mail, a 4xx answer is temporary and a 5xx refusal final (RFC 5321 §4.2.1).
/// </summary>
public sealed class MailKitMailSender : IMailSender
{
    private readonly MailSettings _settings;
    private readonly IClock _clock;
    private readonly ILogger<MailKitMailSender> _logger;
    private readonly ResiliencePipeline _connect;

    public MailKitMailSender(MailSettings settings, IClock clock, ILogger<MailKitMailSender> logger)
    {
        _settings = settings;
        _clock = clock;
        _logger = logger;
        var unreachable = new PredicateBuilder().Handle<Exception>(e => e is not OperationCanceledException);
        _connect = new ResiliencePipelineBuilder()
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                FailureRatio = 1.0,
                MinimumThroughput = 2,
                SamplingDuration = TimeSpan.FromMinutes(5),
                BreakDuration = settings.CircuitBreakDuration,
                ShouldHandle = unreachable,
            })
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = 2,
                DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(
                    Backoff.Exponential(TimeSpan.FromMilliseconds(500), args.AttemptNumber, TimeSpan.FromSeconds(5), Random.Shared.NextDouble())),
                // Refused credentials are a configuration error: trying again at once would not help.
                ShouldHandle = new PredicateBuilder().Handle<Exception>(e => e is not (OperationCanceledException or AuthenticationException)),
            })
            .Build();
    }

    public async Task<IReadOnlyList<MailResult>> SendAsync(IReadOnlyList<OutgoingMail> mails, CancellationToken ct)
    {
        using var client = new SmtpClient { Timeout = (int)_settings.Timeout.TotalMilliseconds };
        try
        {
            await _connect.ExecuteAsync(async token => await ConnectAsync(client, token), ct);
        }
        catch (BrokenCircuitException ex)
        {
            var notBefore = _clock.UtcNow + (ex.RetryAfter ?? _settings.CircuitBreakDuration);
            return [.. mails.Select(m => new MailResult(m.Id, MailOutcome.NotAttempted, "The mail server is unreachable; waiting before trying again.", notBefore))];
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            var error = Describe(ex);
            _logger.LogWarning("Cannot reach the mail server {Host}:{Port}: {Error}", _settings.Host, _settings.Port, error);
            return [.. mails.Select(m => new MailResult(m.Id, MailOutcome.TemporaryFailure, error))];
        }

        var results = new List<MailResult>(mails.Count);
        foreach (var mail in mails)
        {
            if (!client.IsConnected)
            {
                results.Add(new MailResult(mail.Id, MailOutcome.TemporaryFailure, "The mail server closed the connection."));
                continue;
            }
            results.Add(await SendOneAsync(client, mail, ct));
        }
        try
        {
            if (client.IsConnected) await client.DisconnectAsync(quit: true, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Everything was sent or recorded as not sent; a failed QUIT changes nothing.
        }
        return results;
    }

    private async Task ConnectAsync(SmtpClient client, CancellationToken ct)
    {
        if (client.IsConnected) await client.DisconnectAsync(quit: false, ct);
        await client.ConnectAsync(_settings.Host ?? throw new InvalidOperationException("Mail:Host is not set."), _settings.Port, _settings.Tls, ct);
        if (_settings.Username is { } username) await client.AuthenticateAsync(username, _settings.Password ?? "", ct);
    }

    private async Task<MailResult> SendOneAsync(SmtpClient client, OutgoingMail mail, CancellationToken ct)
    {
        if (!MailboxAddress.TryParse(mail.To, out var to) || !to.Address.Contains('@', StringComparison.Ordinal))
            return new MailResult(mail.Id, MailOutcome.PermanentFailure, "The recipient is not a valid e-mail address.");
        try
        {
            await client.SendAsync(Message(mail, to), ct);
            return new MailResult(mail.Id, MailOutcome.Sent);
        }
        catch (SmtpCommandException ex) when ((int)ex.StatusCode >= 500)
        {
            return new MailResult(mail.Id, MailOutcome.PermanentFailure, $"Refused by the mail server: {(int)ex.StatusCode} {ex.Message}");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return new MailResult(mail.Id, MailOutcome.TemporaryFailure, Describe(ex));
        }
    }

    private MimeMessage Message(OutgoingMail mail, MailboxAddress to)
    {
        var message = new MimeMessage
        {
            Subject = mail.Subject,
            // The same for every try of this mail: a copy sent again after a crash is recognisable.
            MessageId = $"{mail.MessageKey}@{_settings.From.Domain}",
            Body = new BodyBuilder { TextBody = mail.Text, HtmlBody = mail.Html }.ToMessageBody(),
        };
        message.From.Add(_settings.From);
        message.To.Add(to);
        // RFC 3834: automatic mail; auto-responders do not answer it.
        message.Headers.Add("Auto-Submitted", "auto-generated");
        message.Headers.Add("X-Integrations-Notification-Id", mail.NoticeId.ToString());
        return message;
    }

    /// <summary>What went wrong, in words that never carry the credentials (MailKit's messages do not; AUTH's answer is replaced).</summary>
    private static string Describe(Exception ex) => ex switch
    {
        AuthenticationException => "The mail server refused Mail:Username and Mail:Password.",
        SmtpCommandException c => $"{(int)c.StatusCode} {c.Message}",
        System.Net.Sockets.SocketException s => $"Cannot connect: {s.SocketErrorCode}.",
        _ => $"{ex.GetType().Name}: {ex.Message}",
    };
}
