using Integrations.Application.Common.Interfaces;
using Microsoft.Extensions.Logging;

namespace Integrations.Application.Notifications.Pipelines.Mail;

/// <summary>
/// The Workers' notifications pipeline: mails the notices of incidents to the tenants' admins, as named steps:
/// <list type="number">
/// <item><b>claim</b> (<see cref="INotificationMailOutbox"/>): due mails, each held for a lease;</item>
/// <item><b>compose</b> (<see cref="NotificationMailComposer"/>): text and HTML of each;</item>
/// <item><b>send</b> (<see cref="IMailSender"/>: SMTP with its own retries and circuit breaker);</item>
/// <item><b>record</b>: sent; failed for good (refused, or given up after <see cref="NotificationMailOptions.GiveUpAfter"/>);
/// or pending again after the <see cref="NotificationMailOptions.RetrySchedule"/>.</item>
/// </list>
/// Nothing else waits for it: incidents are recorded and their mails queued in the callers' transactions,
/// so a mail server that is down only delays mail. Mail is sent at least once: a process that dies between
/// sending and recording sends it again after the lease (with the same Message-ID).
/// </summary>
public sealed class NotificationMailPipeline(
    INotificationMailOutbox outbox,
    NotificationMailComposer composer,
    IMailSender sender,
    NotificationMailOptions options,
    IClock clock,
    ILogger<NotificationMailPipeline> logger)
{
    private static readonly TimeSpan ErrorDelay = TimeSpan.FromSeconds(5);

    public async Task RunAsync(CancellationToken stopping)
    {
        if (!options.Enabled)
        {
            logger.LogWarning("Mail:Host is not set: notification mails wait in the queue and are sent once a mail server is configured");
            return;
        }
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                if (await SendDueAsync(stopping) == options.BatchSize) continue;
            }
            catch (Exception ex) when (!stopping.IsCancellationRequested)
            {
                logger.LogWarning(ex, "Sending notification mails failed; trying again in {Delay}", ErrorDelay);
                await Task.Delay(ErrorDelay, stopping).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                continue;
            }
            catch (Exception) when (stopping.IsCancellationRequested)
            {
                return;
            }
            await Task.Delay(options.PollInterval, stopping).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <summary>One round: claims, sends and records up to a batch of due mails; returns how many it claimed.</summary>
    public async Task<int> SendDueAsync(CancellationToken ct)
    {
        var claimed = await outbox.ClaimDueAsync(options.BatchSize, options.Lease, ct);
        if (claimed.Count == 0) return 0;
        // Once claimed, sending and recording are not cut short by shutdown: the lease would only send them again later.
        var results = (await sender.SendAsync(claimed.Select(composer.Compose).ToList(), CancellationToken.None)).ToDictionary(r => r.Id);
        var now = clock.UtcNow;
        var records = claimed.Select(mail => Record(mail, results.GetValueOrDefault(mail.Id) ?? new MailResult(mail.Id, MailOutcome.TemporaryFailure, "not sent"), now)).ToList();
        await outbox.RecordAsync(records, CancellationToken.None);
        Log(claimed, records);
        return claimed.Count;
    }

    private MailRecord Record(QueuedMail mail, MailResult result, DateTimeOffset now) => result.Outcome switch
    {
        MailOutcome.Sent => new MailRecord(mail.Id, MailStatuses.Sent, true, now, null),
        MailOutcome.PermanentFailure => new MailRecord(mail.Id, MailStatuses.Failed, true, now, result.Error),
        MailOutcome.NotAttempted => new MailRecord(mail.Id, MailStatuses.Pending, false, result.NotBefore ?? now + options.RetryDelay(1), result.Error),
        _ when now - mail.CreatedAt >= options.GiveUpAfter =>
            new MailRecord(mail.Id, MailStatuses.Failed, true, now, $"Given up after {mail.Attempts + 1} tries over {options.GiveUpAfter}: {result.Error}"),
        _ => new MailRecord(mail.Id, MailStatuses.Pending, true, now + options.RetryDelay(mail.Attempts + 1), result.Error),
    };

    private void Log(IReadOnlyList<QueuedMail> claimed, IReadOnlyList<MailRecord> records)
    {
        var sent = records.Count(r => r.Status == MailStatuses.Sent);
        if (sent > 0) logger.LogInformation("Sent {Sent} notification mail(s)", sent);
        foreach (var (mail, record) in claimed.Zip(records).Where(p => p.Second.Status != MailStatuses.Sent))
        {
            if (record.Status == MailStatuses.Failed)
                logger.LogWarning("Gave up the notification mail {MailId} of notice {NoticeId} (tenant {TenantId}): {Error}", mail.Id, mail.NoticeId, mail.TenantId, record.Error);
            else
                logger.LogInformation("Notification mail {MailId} not sent ({Error}); next try at {NextAttemptAt:O}", mail.Id, record.Error, record.NextAttemptAt);
        }
    }
}
