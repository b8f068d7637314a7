using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.WebhookDeliveries.Pipelines.Dispatch;
using Integrations.Domain.Webhooks;
using Integrations.Infrastructure.Http;

namespace Integrations.Infrastructure.Webhooks.Delivery;

/// <summary>
/// Sends webhook POSTs (the adapter of the send step's port, <see cref="IWebhookSender"/>). The
/// connection is opened by <see cref="GuardedConnection"/>: it resolves the name itself, refuses the
/// target if any of its addresses is not public (the rule registration applies), and connects to the
/// address it checked, so DNS cannot change the answer between the check and the connection
/// (rebinding). No proxy (it would connect on our
/// behalf), no redirects (a 3xx is a failed attempt), no cookies, no decompression; the response
/// body is read up to 1 KiB only.
/// </summary>
public sealed class WebhookSender : IWebhookSender, IDisposable
{
    public const int ExcerptBytes = 1024;
    public const string UserAgent = "Integrations-Webhooks/1";

    private readonly HttpClient _client;
    private readonly WebhookDispatcherOptions _options;
    private readonly IClock _clock;

    public WebhookSender(WebhookDispatcherOptions options, IClock clock)
    {
        _options = options;
        _clock = clock;
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = GuardedConnection.Callback(() => options.AllowPrivateNetworkTargets),
            ConnectTimeout = options.Timeout,
            AllowAutoRedirect = false,
            UseProxy = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
            // Each new connection is checked again; this bounds how long a vetted address is reused.
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(60),
            ResponseDrainTimeout = TimeSpan.FromSeconds(1),
        };
        _client = new HttpClient(handler) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
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
            var excerpt = await ReadExcerptAsync(response, timeout.Token);
            return new SendResult(startedAt, Elapsed(clock), (int)response.StatusCode, null, RetryAfter(response, startedAt), excerpt);
        }
        catch (OperationCanceledException) when (!abort.IsCancellationRequested)
        {
            return Failed(startedAt, clock, SendErrorKinds.Timeout);
        }
        catch (HttpRequestException ex)
        {
            return Failed(startedAt, clock, Classify(ex));
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

    /// <summary>
    /// At most the first 1 KiB, read without waiting for (or buffering) the rest. The status code
    /// decides the attempt, so a body that breaks off or is too slow only costs the excerpt.
    /// </summary>
    private static async Task<string?> ReadExcerptAsync(HttpResponseMessage response, CancellationToken ct)
    {
        try
        {
            await using var body = await response.Content.ReadAsStreamAsync(ct);
            var buffer = new byte[ExcerptBytes];
            var read = 0;
            while (read < buffer.Length && await body.ReadAsync(buffer.AsMemory(read), ct) is var n and > 0) read += n;
            // PostgreSQL's jsonb has no room for NUL characters; the excerpt is for people to read.
            return read == 0 ? null : Encoding.UTF8.GetString(buffer, 0, read).Replace('\0', '\uFFFD');
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException or OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>Retry-After as seconds or as an HTTP date (RFC 9110).</summary>
    private static TimeSpan? RetryAfter(HttpResponseMessage response, DateTimeOffset now) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date > now ? date - now : TimeSpan.Zero,
        _ => null,
    };

    private static SendResult Failed(DateTimeOffset startedAt, Stopwatch clock, string kind) => new(startedAt, Elapsed(clock), null, kind, null, null);

    private static int Elapsed(Stopwatch clock) => (int)Math.Min(int.MaxValue, clock.ElapsedMilliseconds);

    private static string Classify(HttpRequestException ex)
    {
        for (Exception? e = ex; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case SsrfBlockedException: return SendErrorKinds.SsrfBlocked;
                case DnsResolutionException: return SendErrorKinds.Dns;
                case AuthenticationException: return SendErrorKinds.Tls;
                case SocketException { SocketErrorCode: SocketError.TimedOut }: return SendErrorKinds.Timeout;
                case SocketException { SocketErrorCode: SocketError.ConnectionReset or SocketError.ConnectionAborted or SocketError.Shutdown }:
                    return SendErrorKinds.ConnectionReset;
                case SocketException: return SendErrorKinds.ConnectionRefused;
            }
        }
        return ex.HttpRequestError switch
        {
            HttpRequestError.NameResolutionError => SendErrorKinds.Dns,
            HttpRequestError.SecureConnectionError => SendErrorKinds.Tls,
            HttpRequestError.ConnectionError => SendErrorKinds.ConnectionRefused,
            HttpRequestError.ResponseEnded => SendErrorKinds.ConnectionReset,
            _ => ex.InnerException is IOException ? SendErrorKinds.ConnectionReset : SendErrorKinds.InvalidResponse,
        };
    }
}
