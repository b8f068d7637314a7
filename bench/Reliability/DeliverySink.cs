using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Integrations.Bench.Reliability;

/// <summary>
/// The receiver of every webhook: a Kestrel app in the benchmark process. A delivery counts when it
/// was answered 200: the sink records the load marker found in the body (the event's invoice_id, or
/// the inbound request's payload) with the <c>webhook-id</c> header and the arrival time. While
/// <see cref="Hanging"/> it answers nothing (a provider that stops answering) until the sender gives
/// up or the hang ends. GET /items is the feed an http_poll schedule reads (<see cref="ScheduleFeed"/>).
/// Below /provider it is the API an <c>http</c> connection calls (its route's http.request): the
/// marker of each call answered 200 is recorded apart, with its <c>Idempotency-Key</c> (the call
/// id, the same on every attempt); <see cref="ProviderHanging"/> holds those calls alone.
/// </summary>
public sealed partial class DeliverySink : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, ConcurrentQueue<(string WebhookId, long At)>> _deliveries = new();
    private WebApplication _app = null!;
    private readonly ConcurrentDictionary<string, ConcurrentQueue<(string IdempotencyKey, long At)>> _calls = new();
    private volatile TaskCompletionSource _hang = Done();
    private volatile TaskCompletionSource _providerHang = Done();
    private long _callsAbandoned;

    public const string ProviderPath = "/provider";

    public Uri BaseAddress { get; private set; } = null!;

    public ScheduleFeed Feed { get; } = new();

    public static async Task<DeliverySink> StartAsync()
    {
        var sink = new DeliverySink();
        (sink._app, sink.BaseAddress) = await LoopbackApp.StartAsync(sink.HandleAsync);
        return sink;
    }

    public string Url(string path) => new Uri(BaseAddress, path).ToString();

    /// <summary>Stops answering (true) or answers again, the requests held meanwhile included (false).</summary>
    public bool Hanging
    {
        set
        {
            if (value) _hang = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            else _hang.TrySetResult();
        }
    }

    /// <summary>The provider path stops answering (true) or answers again (false), as <see cref="Hanging"/> does for webhooks.</summary>
    public bool ProviderHanging
    {
        set
        {
            if (value) _providerHang = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            else _providerHang.TrySetResult();
        }
    }

    /// <summary>Connector call attempts the sender gave up on (timed out) before the provider path answered.</summary>
    public long CallsAbandoned => Interlocked.Read(ref _callsAbandoned);

    /// <summary>The connector calls answered 200 that carried <paramref name="marker"/>: their Idempotency-Key and arrival.</summary>
    public IReadOnlyList<(string IdempotencyKey, long At)> Calls(string marker) =>
        _calls.TryGetValue(marker, out var seen) ? [.. seen] : [];

    /// <summary>The deliveries answered 200 that carried <paramref name="marker"/>: their webhook-id and arrival (Stopwatch ticks).</summary>
    public IReadOnlyList<(string WebhookId, long At)> Deliveries(string marker) =>
        _deliveries.TryGetValue(marker, out var seen) ? [.. seen] : [];

    public async ValueTask DisposeAsync()
    {
        Hanging = false;
        ProviderHanging = false;
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext http)
    {
        var provider = http.Request.Path.StartsWithSegments(ProviderPath);
        if (HttpMethods.IsGet(http.Request.Method))
        {
            // The connection's health check (GET /provider/me; its account_id_path data.id reads the answer as `data`) or the schedule's feed.
            if (provider) await http.Response.WriteAsJsonAsync(new { id = "reliability" });
            else await Feed.AnswerAsync(http);
            return;
        }
        using var reader = new StreamReader(http.Request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync(http.RequestAborted);
        await (provider ? _providerHang : _hang).Task.WaitAsync(http.RequestAborted).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (http.RequestAborted.IsCancellationRequested)
        {
            if (provider) Interlocked.Increment(ref _callsAbandoned);
            return;
        }
        var at = Stopwatch.GetTimestamp();
        var id = http.Request.Headers[provider ? "Idempotency-Key" : "webhook-id"].ToString();
        foreach (var marker in Marker().Matches(body).Select(m => m.Value).Distinct())
            (provider ? _calls : _deliveries).GetOrAdd(marker, _ => new ConcurrentQueue<(string, long)>()).Enqueue((id, at));
        http.Response.StatusCode = StatusCodes.Status200OK;
    }

    private static TaskCompletionSource Done()
    {
        var done = new TaskCompletionSource();
        done.SetResult();
        return done;
    }

    /// <summary>What <see cref="LoadGenerator"/> puts in every event and inbound request, rel-{phase}-{e|i}-{n}, and the feed in its items, rel-0-s-{n}.</summary>
    [GeneratedRegex(@"rel-\d+-[eis]-\d+")]
    public static partial Regex Marker();
}
