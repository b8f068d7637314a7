using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Integrations.IntegrationTests.Webhooks.Delivery;

/// <summary>One request the sink received, recorded as it arrived (before it was answered).</summary>
/// <param name="Connection">The TCP connection it came on (Kestrel's connection id).</param>
public sealed record SinkRequest(string Path, IReadOnlyDictionary<string, string> Headers, byte[] Body, DateTimeOffset ReceivedAt, string Connection)
{
    public string WebhookId => Headers["webhook-id"];

    public JsonElement Json => JsonDocument.Parse(Body).RootElement;
}

/// <summary>What the sink answers.</summary>
public sealed record SinkResponse(int Status, string Body = "ok", IReadOnlyDictionary<string, string>? Headers = null);

/// <summary>
/// A webhook receiver on 127.0.0.1 (a Kestrel of its own) that records every request and answers
/// as each path is scripted: a status, a sequence of statuses, Retry-After, or holding the request
/// until the test releases it (or the sender gives up). Unscripted paths answer 200.
/// </summary>
public sealed class WebhookSink : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, Func<SinkRequest, CancellationToken, Task<SinkResponse>>> _script = new();
    private readonly ConcurrentQueue<SinkRequest> _received = new();
    private readonly ConcurrentQueue<SinkRequest> _abandoned = new();
    private readonly ConcurrentDictionary<string, (int Now, int Max)> _concurrency = new();
    private WebApplication _app = null!;

    public Uri BaseAddress { get; private set; } = null!;

    public static async Task<WebhookSink> StartAsync()
    {
        var sink = new WebhookSink();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        sink._app = builder.Build();
        sink._app.Run(sink.HandleAsync);
        await sink._app.StartAsync();
        sink.BaseAddress = new Uri(sink._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return sink;
    }

    /// <summary>A fresh path on the sink, so tests never see each other's requests.</summary>
    public string NewPath(string name = "hook") => $"/{name}/{Guid.NewGuid():N}";

    public string Url(string path) => new Uri(BaseAddress, path).ToString();

    public void Respond(string path, Func<SinkRequest, CancellationToken, Task<SinkResponse>> answer) => _script[path] = answer;

    public void Respond(string path, int status, string body = "ok", IReadOnlyDictionary<string, string>? headers = null) =>
        Respond(path, (_, _) => Task.FromResult(new SinkResponse(status, body, headers)));

    /// <summary>Answers the statuses in turn, then the last one for ever.</summary>
    public void RespondInTurn(string path, params int[] statuses)
    {
        var next = -1;
        Respond(path, (_, _) => Task.FromResult(new SinkResponse(statuses[Math.Min(Interlocked.Increment(ref next), statuses.Length - 1)])));
    }

    /// <summary>Holds every request to the path until <paramref name="release"/> completes (then <paramref name="status"/>), or the sender hangs up.</summary>
    public void Hold(string path, Task release, int status = 200) =>
        Respond(path, async (_, ct) =>
        {
            await release.WaitAsync(ct);
            return new SinkResponse(status);
        });

    /// <summary>Answers 200 after <paramref name="delay"/>: an endpoint that takes its time.</summary>
    public void RespondAfter(string path, TimeSpan delay) =>
        Respond(path, async (_, ct) =>
        {
            await Task.Delay(delay, ct);
            return new SinkResponse(200);
        });

    public IReadOnlyList<SinkRequest> Received(string path) => _received.Where(r => r.Path == path).ToList();

    /// <summary>Requests to the path whose sender hung up before they were answered.</summary>
    public IReadOnlyList<SinkRequest> Abandoned(string path) => _abandoned.Where(r => r.Path == path).ToList();

    /// <summary>The most requests to the path that were open at the same time.</summary>
    public int MaxConcurrent(string path) => _concurrency.TryGetValue(path, out var c) ? c.Max : 0;

    public async Task<IReadOnlyList<SinkRequest>> WaitForAsync(string path, int count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var received = Received(path);
            if (received.Count >= count) return received;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{path} received {received.Count} requests within {timeout.TotalSeconds:F0} s, expected {count}.");
            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext http)
    {
        using var body = new MemoryStream();
        await http.Request.Body.CopyToAsync(body, http.RequestAborted);
        var headers = http.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString());
        var request = new SinkRequest(http.Request.Path, headers, body.ToArray(), DateTimeOffset.UtcNow, http.Connection.Id);
        _received.Enqueue(request);

        var answer = _script.TryGetValue(request.Path, out var script) ? script : (_, _) => Task.FromResult(new SinkResponse(200));
        SinkResponse response;
        _concurrency.AddOrUpdate(request.Path, (1, 1), (_, c) => (c.Now + 1, Math.Max(c.Max, c.Now + 1)));
        try
        {
            response = await answer(request, http.RequestAborted);
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            _abandoned.Enqueue(request);
            return;
        }
        finally
        {
            _concurrency.AddOrUpdate(request.Path, (0, 0), (_, c) => (c.Now - 1, c.Max));
        }
        http.Response.StatusCode = response.Status;
        foreach (var (name, value) in response.Headers ?? new Dictionary<string, string>()) http.Response.Headers[name] = value;
        await http.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(response.Body));
    }
}
