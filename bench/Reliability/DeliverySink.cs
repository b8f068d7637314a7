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
/// </summary>
public sealed partial class DeliverySink : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, ConcurrentQueue<(string WebhookId, long At)>> _deliveries = new();
    private WebApplication _app = null!;
    private volatile TaskCompletionSource _hang = Done();

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

    /// <summary>The deliveries answered 200 that carried <paramref name="marker"/>: their webhook-id and arrival (Stopwatch ticks).</summary>
    public IReadOnlyList<(string WebhookId, long At)> Deliveries(string marker) =>
        _deliveries.TryGetValue(marker, out var seen) ? [.. seen] : [];

    public async ValueTask DisposeAsync()
    {
        Hanging = false;
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext http)
    {
        if (HttpMethods.IsGet(http.Request.Method))
        {
            await Feed.AnswerAsync(http);
            return;
        }
        using var reader = new StreamReader(http.Request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync(http.RequestAborted);
        await _hang.Task.WaitAsync(http.RequestAborted).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (http.RequestAborted.IsCancellationRequested) return;
        var at = Stopwatch.GetTimestamp();
        var webhookId = http.Request.Headers["webhook-id"].ToString();
        foreach (var marker in Marker().Matches(body).Select(m => m.Value).Distinct())
            _deliveries.GetOrAdd(marker, _ => new ConcurrentQueue<(string, long)>()).Enqueue((webhookId, at));
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
