using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;

namespace Integrations.Infrastructure.Http;

/// <summary>Why a request to a URL outside the platform got no answer.</summary>
public enum OutboundFailure
{
    Timeout,
    Dns,
    ConnectionRefused,
    ConnectionReset,
    Tls,
    /// <summary>The target resolved to an address the SSRF rules refuse; nothing was sent.</summary>
    SsrfBlocked,
    InvalidResponse,
}

/// <summary>
/// The one outbound HTTP factory (DESIGN: webhooks, connector calls and the HTTP action share it):
/// clients whose connections are opened by <see cref="GuardedConnection"/> (the SSRF rules at connect
/// time, on the address actually connected to) unless the target is the operator's own; no proxy
/// (it would connect on our behalf), no redirects (a 3xx is an answer, never followed to where the
/// rules were not applied), no cookies, no decompression; connections re-checked every few minutes.
/// Timeouts are the caller's (its cancellation token, or its Polly pipeline), never the client's.
/// Also what every caller reads of an answer (<see cref="ReadExcerptAsync"/>) and how a failure is
/// named (<see cref="Classify"/>).
/// </summary>
public static class OutboundHttp
{
    public const int ExcerptBytes = 1024;

    /// <param name="allowPrivateNetworkTargets">Read at each new connection: Webhooks:AllowPrivateNetworkTargets (development, tests).</param>
    /// <param name="guarded">False for the operator's own endpoints (a provider's catalog URLs), which may be anywhere.</param>
    /// <param name="maxConnectionsPerServer">Connections per host and port; beyond them requests wait for one.</param>
    public static HttpClient CreateClient(Func<bool> allowPrivateNetworkTargets, TimeSpan connectTimeout, bool guarded = true,
        int maxConnectionsPerServer = int.MaxValue)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = connectTimeout,
            AllowAutoRedirect = false,
            UseProxy = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
            // Each new connection is checked again; this bounds how long a vetted address is reused.
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(60),
            ResponseDrainTimeout = TimeSpan.FromSeconds(1),
            MaxConnectionsPerServer = maxConnectionsPerServer,
        };
        if (guarded) handler.ConnectCallback = GuardedConnection.Callback(allowPrivateNetworkTargets);
        return new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>
    /// At most the first <paramref name="maxBytes"/> of the body, read without waiting for (or
    /// buffering) the rest: the status code decides, so a body that breaks off or is too slow only
    /// costs the excerpt. NUL characters are replaced (PostgreSQL's text has no room for them).
    /// </summary>
    public static async Task<string?> ReadExcerptAsync(HttpResponseMessage response, CancellationToken ct, int maxBytes = ExcerptBytes)
    {
        try
        {
            await using var body = await response.Content.ReadAsStreamAsync(ct);
            var buffer = new byte[maxBytes];
            var read = 0;
            while (read < buffer.Length && await body.ReadAsync(buffer.AsMemory(read), ct) is var n and > 0) read += n;
            return read == 0 ? null : Encoding.UTF8.GetString(buffer, 0, read).Replace('\0', '\uFFFD');
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException or OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>Retry-After as seconds or as an HTTP date (RFC 9110 §10.2.3).</summary>
    public static TimeSpan? RetryAfter(HttpResponseMessage response, DateTimeOffset now) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date > now ? date - now : TimeSpan.Zero,
        _ => null,
    };

    /// <summary>A response or content header's first value by name (case-insensitive), or null.</summary>
    public static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values) ? values.FirstOrDefault() : null;

    /// <summary>What went wrong with a request that got no answer.</summary>
    public static OutboundFailure Classify(HttpRequestException ex)
    {
        for (Exception? e = ex; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case SsrfBlockedException: return OutboundFailure.SsrfBlocked;
                case DnsResolutionException: return OutboundFailure.Dns;
                case AuthenticationException: return OutboundFailure.Tls;
                case SocketException { SocketErrorCode: SocketError.TimedOut }: return OutboundFailure.Timeout;
                case SocketException { SocketErrorCode: SocketError.ConnectionReset or SocketError.ConnectionAborted or SocketError.Shutdown }:
                    return OutboundFailure.ConnectionReset;
                case SocketException: return OutboundFailure.ConnectionRefused;
            }
        }
        return ex.HttpRequestError switch
        {
            HttpRequestError.NameResolutionError => OutboundFailure.Dns,
            HttpRequestError.SecureConnectionError => OutboundFailure.Tls,
            HttpRequestError.ConnectionError => OutboundFailure.ConnectionRefused,
            HttpRequestError.ResponseEnded => OutboundFailure.ConnectionReset,
            _ => ex.InnerException is IOException ? OutboundFailure.ConnectionReset : OutboundFailure.InvalidResponse,
        };
    }
}
