using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;

namespace Integrations.Bench.Reliability;

/// <summary>What one phase of load sent: the markers the platform acknowledged (2xx) with when, and the attempts it did not.</summary>
public sealed class PhaseLoad(int phase)
{
    public int Phase { get; } = phase;

    public ConcurrentDictionary<string, long> Acknowledged { get; } = new();

    public ConcurrentDictionary<string, byte> Unacknowledged { get; } = new();
}

/// <summary>
/// A steady mixed load at fixed rates, as clients that do not retry: events posted to the API
/// (each to the tenant's webhook endpoint) and signed requests to the tenant's inbound source (each
/// an inbound.received event, delivered to the same endpoint). Every one carries a unique marker
/// (rel-{phase}-{e|i}-{n}) the sink finds in what it receives. A request that fails, times out or
/// answers non-2xx is not acknowledged: only what the platform acknowledged must arrive.
/// </summary>
public sealed class LoadGenerator(HttpClient tenant, HttpClient inbound, Uri inboundUrl, StandardWebhooksSigner signer, int eventsPerSecond, int inboundPerSecond)
{
    private const int MaxInFlight = 64;

    /// <summary>The event type the load's events carry and the connector route matches; inbound requests become inbound.received, not routed.</summary>
    public const string RoutedEventType = "invoice.paid";

    /// <summary>Whether the item of <paramref name="marker"/> is an event the connector route matches (rel-{phase}-e-{n}).</summary>
    public static bool IsRouted(string marker) => marker.Contains("-e-", StringComparison.Ordinal);
    private long _next;
    private int _inFlight;

    /// <summary>Sends until <paramref name="stop"/>, recording into <paramref name="load"/>; returns when every request has its answer.</summary>
    public async Task RunAsync(PhaseLoad load, CancellationToken stop)
    {
        var clock = Stopwatch.StartNew();
        var pending = new List<Task>();
        long events = 0, requests = 0;
        while (!stop.IsCancellationRequested)
        {
            var seconds = clock.Elapsed.TotalSeconds;
            for (; events < seconds * eventsPerSecond; events++) pending.Add(Send(load, 'e'));
            for (; requests < seconds * inboundPerSecond; requests++) pending.Add(Send(load, 'i'));
            pending.RemoveAll(t => t.IsCompleted);
            await Task.Delay(20, CancellationToken.None);
        }
        await Task.WhenAll(pending);
    }

    private async Task Send(PhaseLoad load, char kind)
    {
        var marker = $"rel-{load.Phase}-{kind}-{Interlocked.Increment(ref _next)}";
        // A client that cannot keep up drops the attempt rather than queueing without bound.
        if (Interlocked.Increment(ref _inFlight) > MaxInFlight)
        {
            Interlocked.Decrement(ref _inFlight);
            load.Unacknowledged.TryAdd(marker, 0);
            return;
        }
        try
        {
            using var answer = kind == 'e'
                ? await tenant.PostAsJsonAsync("/api/v1/events", new { event_type = RoutedEventType, data = new { invoice_id = marker, amount_cents = 4200, currency = "EUR" } })
                : await inbound.SendAsync(signer.Sign(inboundUrl, "msg_" + marker, JsonSerializer.Serialize(new { type = "invoice.paid", marker })));
            if (answer.IsSuccessStatusCode) load.Acknowledged.TryAdd(marker, Stopwatch.GetTimestamp());
            else load.Unacknowledged.TryAdd(marker, 0);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            load.Unacknowledged.TryAdd(marker, 0);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }
}
