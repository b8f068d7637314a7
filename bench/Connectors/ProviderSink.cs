using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Integrations.Bench.Connectors;

/// <summary>
/// A zero-latency provider API on 127.0.0.1 in the benchmark process. <c>GET …/me</c> names the
/// account (the connection's health check); under <c>/hang</c> nothing is answered (until the caller
/// gives up), under <c>/fail</c> every call gets 500, anything else 200. For the calls it answers
/// it records, per first path segment, the end-to-end latency: arrival minus the body's <c>ts</c>,
/// the time the API accepted the event (same machine, same clock).
/// </summary>
public sealed class ProviderSink : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, ConcurrentQueue<double>> _latencies = new();
    private WebApplication _app = null!;

    public Uri BaseAddress { get; private set; } = null!;

    public static async Task<ProviderSink> StartAsync()
    {
        var sink = new ProviderSink();
        (sink._app, sink.BaseAddress) = await LoopbackApp.StartAsync(sink.HandleAsync);
        return sink;
    }

    /// <summary>The latencies (ms) of the calls answered under <paramref name="segment"/> since the last take.</summary>
    public List<double> Take(string segment)
    {
        var queue = _latencies.GetOrAdd(segment, _ => new());
        var taken = new List<double>();
        while (queue.TryDequeue(out var ms)) taken.Add(ms);
        return taken;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext http)
    {
        var path = http.Request.Path.Value!;
        if (path.EndsWith("/me", StringComparison.Ordinal))
        {
            await http.Response.WriteAsJsonAsync(new { id = "bench", name = "Bench" });
            return;
        }
        if (path.StartsWith("/hang", StringComparison.Ordinal))
        {
            await Task.Delay(Timeout.Infinite, http.RequestAborted).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            return;
        }
        if (path.StartsWith("/fail", StringComparison.Ordinal))
        {
            http.Response.StatusCode = 500;
            return;
        }
        var body = new byte[(int)(http.Request.ContentLength ?? 0)];
        var read = 0;
        while (read < body.Length && await http.Request.Body.ReadAsync(body.AsMemory(read)) is var n and > 0) read += n;
        if (Accepted(body) is { } accepted)
            _latencies.GetOrAdd(path.Split('/', 3)[1], _ => new()).Enqueue((DateTimeOffset.UtcNow - accepted).TotalMilliseconds);
        http.Response.StatusCode = 200;
    }

    private static DateTimeOffset? Accepted(ReadOnlySpan<byte> body)
    {
        var reader = new Utf8JsonReader(body);
        while (reader.Read())
        {
            if (reader is { TokenType: JsonTokenType.PropertyName, CurrentDepth: 1 } && reader.ValueTextEquals("ts"u8) && reader.Read())
                return reader.GetDateTimeOffset();
        }
        return null;
    }
}
