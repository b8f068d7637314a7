using System.Text;
using Microsoft.AspNetCore.Http;

namespace Integrations.Fakes.Common.Control;

/// <summary>One request as the fake received it (the control API's own requests are not recorded).</summary>
public sealed record RecordedRequest(
    long Sequence,
    DateTimeOffset ReceivedAt,
    string Method,
    string Path,
    string QueryString,
    IReadOnlyDictionary<string, string> Query,
    IReadOnlyDictionary<string, string> Headers,
    string Body,
    bool BodyTruncated);

/// <summary>Every request the fake received, oldest first, for tests to inspect (<c>GET /_fake/requests</c>).</summary>
public sealed class RequestLog : IFakeResettable
{
    /// <summary>Bodies are kept up to this many bytes; the rest is cut and flagged.</summary>
    public const int MaxBodyBytes = 256 * 1024;

    private const int MaxRequests = 10_000;
    private readonly Queue<RecordedRequest> _requests = new();
    private long _sequence;

    public void Add(RecordedRequest request)
    {
        lock (_requests)
        {
            _requests.Enqueue(request);
            while (_requests.Count > MaxRequests)
            {
                _requests.Dequeue();
            }
        }
    }

    public long NextSequence() => Interlocked.Increment(ref _sequence);

    public IReadOnlyList<RecordedRequest> Find(string? pathPrefix, string? method)
    {
        lock (_requests)
        {
            return _requests
                .Where(r => pathPrefix is null || r.Path.StartsWith(pathPrefix, StringComparison.Ordinal))
                .Where(r => method is null || string.Equals(r.Method, method, StringComparison.OrdinalIgnoreCase))
                .ToList();
        }
    }

    public void Reset()
    {
        lock (_requests)
        {
            _requests.Clear();
        }
    }
}

/// <summary>Records each request (method, path, query, headers, body) before anything else answers it.</summary>
public sealed class RequestRecordingMiddleware(RequestDelegate next, RequestLog log, TimeProvider clock)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var sequence = log.NextSequence();
        var receivedAt = clock.GetUtcNow();
        context.Request.EnableBuffering();
        var (body, truncated) = await ReadBodyAsync(context.Request, context.RequestAborted);
        context.Request.Body.Position = 0;
        var request = context.Request;
        log.Add(new RecordedRequest(
            sequence,
            receivedAt,
            request.Method,
            request.Path.Value ?? "",
            request.QueryString.Value ?? "",
            request.Query.ToDictionary(q => q.Key, q => q.Value.ToString(), StringComparer.Ordinal),
            request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString(), StringComparer.Ordinal),
            body,
            truncated));
        await next(context);
    }

    private static async Task<(string Body, bool Truncated)> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var buffer = new byte[RequestLog.MaxBodyBytes + 1];
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await request.Body.ReadAsync(buffer.AsMemory(read), cancellationToken);
            if (n == 0)
            {
                break;
            }
            read += n;
        }
        var truncated = read > RequestLog.MaxBodyBytes;
        return (Encoding.UTF8.GetString(buffer, 0, Math.Min(read, RequestLog.MaxBodyBytes)), truncated);
    }
}
