namespace Integrations.Application.WebhookDeliveries.Pipelines.Dispatch;

/// <summary>
/// Sends one signed webhook request (the port of the send step). The adapter connects only to
/// addresses the SSRF policy allows, follows no redirects, and reads at most the first 1 KiB of
/// the answer; every outcome, an error included, is a <see cref="SendResult"/>.
/// </summary>
public interface IWebhookSender
{
    /// <param name="abort">Cancelled only when the host's shutdown timeout runs out: the attempt is then not recorded.</param>
    Task<SendResult> SendAsync(WebhookRequest request, CancellationToken abort);
}

/// <summary>One signed webhook request, ready to send.</summary>
public sealed record WebhookRequest(Uri Url, Guid WebhookId, long Timestamp, string Signature, byte[] Body);

/// <summary>What an attempt came to: a status code when the endpoint answered, an error kind otherwise.</summary>
public sealed record SendResult(DateTimeOffset StartedAt, int DurationMs, int? StatusCode, string? ErrorKind, TimeSpan? RetryAfter, string? ResponseBodyExcerpt);

/// <summary>The error kinds of an attempt without an answer (docs/webhooks.md#delivery).</summary>
public static class SendErrorKinds
{
    public const string Timeout = "timeout";
    public const string Dns = "dns";
    public const string ConnectionRefused = "connection_refused";
    public const string ConnectionReset = "connection_reset";
    public const string Tls = "tls";
    public const string SsrfBlocked = "ssrf_blocked";
    public const string InvalidResponse = "invalid_response";
}
