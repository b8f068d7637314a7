using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Integrations.Bench.Webhooks;

/// <summary>What one endpoint path of the sink saw.</summary>
public sealed class PathStats
{
    private readonly ConcurrentDictionary<string, byte> _webhookIds = new();
    private readonly ConcurrentQueue<(long At, double LatencyMs)> _arrivals = new();

    public int Requests => _arrivals.Count;

    public int Distinct => _webhookIds.Count;

    public IReadOnlyList<(long At, double LatencyMs)> Arrivals => [.. _arrivals];

    public void Record(string? webhookId, long at, double latencyMs)
    {
        if (webhookId is not null) _webhookIds.TryAdd(webhookId, 0);
        _arrivals.Enqueue((at, latencyMs));
    }
}

/// <summary>
/// The receiving side: a Kestrel app on 127.0.0.1 in the benchmark process. Paths ending in
/// /hang never answer (until the sender gives up), /fail answers 500, anything else 200. For every
/// request it records the arrival (Stopwatch ticks) and the end-to-end latency: arrival minus the
/// body's <c>timestamp</c>, the time the API accepted the event (same machine, same clock).
/// </summary>
public sealed class Sink : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, PathStats> _paths = new();
    private WebApplication _app = null!;

    public Uri BaseAddress { get; private set; } = null!;

    public static async Task<Sink> StartAsync()
    {
        var sink = new Sink();
        (sink._app, sink.BaseAddress) = await LoopbackApp.StartAsync(sink.HandleAsync);
        return sink;
    }

    public PathStats Stats(string path) => _paths.GetOrAdd(path, _ => new PathStats());

    public string Url(string path) => new Uri(BaseAddress, path).ToString();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext http)
    {
        var path = http.Request.Path.Value!;
        if (path.EndsWith("/hang", StringComparison.Ordinal))
        {
            Stats(path).Record(null, Stopwatch.GetTimestamp(), double.NaN);
            await Task.Delay(Timeout.Infinite, http.RequestAborted).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            return;
        }
        var body = new byte[(int)(http.Request.ContentLength ?? 0)];
        var read = 0;
        while (read < body.Length && await http.Request.Body.ReadAsync(body.AsMemory(read)) is var n and > 0) read += n;
        var at = Stopwatch.GetTimestamp();
        var latency = Timestamp(body) is { } accepted ? (DateTimeOffset.UtcNow - accepted).TotalMilliseconds : double.NaN;
        Stats(path).Record(http.Request.Headers["webhook-id"].ToString() is { Length: > 0 } id ? id : null, at, latency);
        http.Response.StatusCode = path.EndsWith("/fail", StringComparison.Ordinal) ? 500 : 200;
    }

    private static DateTimeOffset? Timestamp(ReadOnlySpan<byte> body)
    {
        var reader = new Utf8JsonReader(body);
        while (reader.Read())
        {
            if (reader is { TokenType: JsonTokenType.PropertyName, CurrentDepth: 1 } && reader.ValueTextEquals("timestamp"u8) && reader.Read())
                return reader.GetDateTimeOffset();
        }
        return null;
    }
}
