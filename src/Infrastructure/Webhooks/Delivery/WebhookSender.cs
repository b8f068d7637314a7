using System.Diagnostics;
using System.Net.Http.Headers;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.WebhookDeliveries.Pipelines.Dispatch;
using Integrations.Infrastructure.Http;

namespace Integrations.Infrastructure.Webhooks.Delivery;

/// <summary>
/// Sends webhook POSTs (the adapter of the send step's port, <see cref="IWebhookSender"/>) on a
/// client of the one outbound HTTP factory (<see cref="OutboundHttp"/>): connections opened only to
/// addresses the SSRF rules allow, checked on the address connected to (no DNS rebinding); no proxy,
/// no redirects (a 3xx is a failed attempt), no cookies, no decompression; the response body is read
/// up to 1 KiB only.
/// </summary>
public sealed class WebhookSender : IWebhookSender, IDisposable
{
    public const string UserAgent = "Integrations-Webhooks/1";

    private readonly HttpClient _client;
    private readonly WebhookDispatcherOptions _options;
    private readonly IClock _clock;

    public WebhookSender(WebhookDispatcherOptions options, IClock clock)
    {
        _options = options;
        _clock = clock;
        _client = OutboundHttp.CreateClient(() => options.AllowPrivateNetworkTargets, options.Timeout);
    }

    public async Task<SendResult> SendAsync(WebhookRequest webhook, CancellationToken abort)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(abort);
        timeout.CancelAfter(_options.Timeout);
        var startedAt = _clock.UtcNow;
        var clock = Stopwatch.StartNew();
        try
        {
            using var request = Build(webhook);
            using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var excerpt = await OutboundHttp.ReadExcerptAsync(response, timeout.Token);
            return new SendResult(startedAt, Elapsed(clock), (int)response.StatusCode, null, OutboundHttp.RetryAfter(response, startedAt), excerpt);
        }
        catch (OperationCanceledException) when (!abort.IsCancellationRequested)
        {
            return Failed(startedAt, clock, SendErrorKinds.Timeout);
        }
        catch (HttpRequestException ex)
        {
            return Failed(startedAt, clock, Kind(OutboundHttp.Classify(ex)));
        }
    }

    public void Dispose() => _client.Dispose();

    private static HttpRequestMessage Build(WebhookRequest webhook)
    {
        var id = webhook.WebhookId.ToString();
        var request = new HttpRequestMessage(HttpMethod.Post, webhook.Url) { Content = new ByteArrayContent(webhook.Body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.TryAddWithoutValidation("User-Agent", UserAgent);
        request.Headers.TryAddWithoutValidation("X-Webhook-ID", id);
        request.Headers.TryAddWithoutValidation("webhook-id", id);
        request.Headers.TryAddWithoutValidation("webhook-timestamp", webhook.Timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.TryAddWithoutValidation("webhook-signature", webhook.Signature);
        return request;
    }

    private static SendResult Failed(DateTimeOffset startedAt, Stopwatch clock, string kind) => new(startedAt, Elapsed(clock), null, kind, null, null);

    private static int Elapsed(Stopwatch clock) => (int)Math.Min(int.MaxValue, clock.ElapsedMilliseconds);

    /// <summary>The error kinds of the webhook API (docs/webhooks.md#delivery) for the factory's failures.</summary>
    private static string Kind(OutboundFailure failure) => failure switch
    {
        OutboundFailure.Timeout => SendErrorKinds.Timeout,
        OutboundFailure.Dns => SendErrorKinds.Dns,
        OutboundFailure.ConnectionRefused => SendErrorKinds.ConnectionRefused,
        OutboundFailure.ConnectionReset => SendErrorKinds.ConnectionReset,
        OutboundFailure.Tls => SendErrorKinds.Tls,
        OutboundFailure.SsrfBlocked => SendErrorKinds.SsrfBlocked,
        _ => SendErrorKinds.InvalidResponse,
    };
}
