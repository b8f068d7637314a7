using System.Diagnostics;
using System.Net.Http.Json;

namespace Integrations.Bench.Webhooks;

public sealed record Latency(double P50, double P95, double P99, double Max, int Samples)
{
    public static Latency Of(IReadOnlyCollection<double> samples)
    {
        var sorted = samples.Order().ToArray();
        double At(double q) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)(sorted.Length * q))];
        return new Latency(At(0.50), At(0.95), At(0.99), sorted.Length == 0 ? double.NaN : sorted[^1], sorted.Length);
    }

    public override string ToString() => $"p50 {P50:F1} ms, p95 {P95:F1} ms, p99 {P99:F1} ms, max {Max:F1} ms ({Samples} deliveries)";
}

public sealed record FloodResult(int Deliveries, TimeSpan Elapsed, double AcceptedPerSecond, double SteadyPerSecond, int Duplicates, int Missing)
{
    public double PerSecond => Deliveries / Elapsed.TotalSeconds;
}

public sealed record SteadyResult(IReadOnlyList<double> Samples, int Missing)
{
    public Latency Latency => Latency.Of(Samples);

    /// <summary>The rounds' samples together.</summary>
    public static SteadyResult Pool(IReadOnlyList<SteadyResult> rounds) => new([.. rounds.SelectMany(r => r.Samples)], rounds.Sum(r => r.Missing));
}

public sealed record BacklogResult(int Deliveries, TimeSpan Drain, int Missing)
{
    public double PerSecond => Deliveries / Drain.TotalSeconds;
}

/// <summary>
/// Tenants with <c>fanOut</c> healthy endpoints each (every one subscribed to everything, so each
/// event is delivered <c>fanOut</c> times), optionally with a hanging and a failing endpoint beside.
/// </summary>
public sealed class Scenario
{
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(120);

    private readonly Sink _sink;
    private readonly List<HttpClient> _tenants = [];
    private readonly List<string> _healthy = [];
    private readonly List<Guid> _healthyIds = [];
    private readonly List<(HttpClient Tenant, Guid Endpoint)> _bad = [];
    private readonly string _name;
    private int _published;

    private Scenario(Sink sink, string name)
    {
        _sink = sink;
        _name = name;
    }

    /// <summary>Each event goes to every healthy endpoint of its own tenant.</summary>
    private int EndpointsPerTenant => _healthy.Count / _tenants.Count;

    /// <summary>The healthy endpoints' ids, whose deliveries <see cref="Stages"/> follows.</summary>
    public IReadOnlyList<Guid> HealthyEndpointIds => _healthyIds;

    public int Hanging => _sink.Stats($"/{_name}/hang").Requests;

    public int Failing => _sink.Stats($"/{_name}/fail").Requests;

    public static async Task<Scenario> CreateAsync(Platform platform, HttpClient admin, Sink sink, string name, int tenants, int fanOut, bool withBadEndpoints = false)
    {
        var scenario = new Scenario(sink, name);
        for (var t = 0; t < tenants; t++)
        {
            var tenant = await platform.CreateTenantAsync(admin);
            scenario._tenants.Add(tenant);
            for (var e = 0; e < fanOut; e++)
            {
                var path = $"/{name}/t{t}/e{e}";
                scenario._healthyIds.Add(await Platform.CreateEndpointAsync(tenant, sink.Url(path)));
                scenario._healthy.Add(path);
            }
            if (withBadEndpoints)
            {
                scenario._bad.Add((tenant, await Platform.CreateEndpointAsync(tenant, sink.Url($"/{name}/hang"))));
                scenario._bad.Add((tenant, await Platform.CreateEndpointAsync(tenant, sink.Url($"/{name}/fail"))));
            }
        }
        return scenario;
    }

    /// <summary>A few events through every path (JIT, connection pools, consumer assignment) before anything is measured.</summary>
    public async Task WarmUpAsync()
    {
        for (var i = 0; i < 20; i++) await Task.WhenAll(_tenants.Select(PublishAsync));
        await DrainAsync();
    }

    /// <summary>
    /// Posts events as fast as the API accepts them (64 requests in flight) for <paramref name="duration"/>,
    /// one per request or <paramref name="batch"/> per request to /api/v1/events/batch, then waits for every delivery.
    /// At most <paramref name="maxEvents"/>: batches are accepted many times faster than they can be
    /// delivered, and an unbounded flood would measure the drain of a backlog rather than live delivery.
    /// </summary>
    public async Task<FloodResult> FloodAsync(TimeSpan duration, int batch = 1, int maxEvents = int.MaxValue)
    {
        var before = Snapshot();
        var start = Stopwatch.GetTimestamp();
        var accepted = 0;
        var reserved = 0;
        await Task.WhenAll(Enumerable.Range(0, 64).Select(async worker =>
        {
            var tenant = _tenants[worker % _tenants.Count];
            while (Stopwatch.GetElapsedTime(start) < duration && Interlocked.Add(ref reserved, batch) <= maxEvents)
            {
                if (batch == 1) await PublishAsync(tenant);
                else await PublishBatchAsync(tenant, batch);
                Interlocked.Add(ref accepted, batch);
            }
        }));
        var publishEnd = Stopwatch.GetTimestamp();
        await DrainAsync();

        var arrivals = _healthy.SelectMany(p => _sink.Stats(p).Arrivals).Where(a => a.At >= start).Select(a => a.At).Order().ToList();
        var steadyFrom = start + 2 * Stopwatch.Frequency;
        var steady = arrivals.Count(a => a >= steadyFrom && a <= publishEnd) / ((double)(publishEnd - steadyFrom) / Stopwatch.Frequency);
        var (requests, distinct) = Snapshot();
        var expected = accepted * EndpointsPerTenant;
        return new FloodResult(arrivals.Count, Stopwatch.GetElapsedTime(start, arrivals.Count == 0 ? start : arrivals[^1]),
            accepted / Stopwatch.GetElapsedTime(start, publishEnd).TotalSeconds, steady,
            requests - before.Requests - (distinct - before.Distinct), Math.Max(0, expected - (distinct - before.Distinct)));
    }

    /// <summary>
    /// The delivery pipeline alone (relay, Kafka, fan-out, dispatch, recording), without the API's
    /// ingestion rate as a limit: the Workers host is stopped while <paramref name="events"/> are
    /// accepted, then started; the rate is the deliveries over the time from the first arrival to the last.
    /// </summary>
    public async Task<BacklogResult> BacklogAsync(Platform platform, int events)
    {
        var before = Snapshot();
        await platform.StopWorkersAsync();
        var started = 0;
        await Task.WhenAll(Enumerable.Range(0, 64).Select(async worker =>
        {
            var tenant = _tenants[worker % _tenants.Count];
            while (Interlocked.Increment(ref started) <= events) await PublishAsync(tenant);
        }));
        var start = Stopwatch.GetTimestamp();
        platform.StartWorkers();
        await DrainAsync();
        var arrivals = _healthy.SelectMany(p => _sink.Stats(p).Arrivals).Where(a => a.At >= start).Select(a => a.At).Order().ToList();
        var (_, distinct) = Snapshot();
        var drain = arrivals.Count < 2 ? TimeSpan.Zero : Stopwatch.GetElapsedTime(arrivals[0], arrivals[^1]);
        return new BacklogResult(arrivals.Count, drain, Math.Max(0, events * EndpointsPerTenant - (distinct - before.Distinct)));
    }

    /// <summary>
    /// Posts <paramref name="perSecond"/> events a second, evenly spaced, for <paramref name="warmUp"/> and then
    /// <paramref name="duration"/>; latency from acceptance to arrival of what arrives after the warm-up. The warm-up
    /// leaves out the step from idle to the rate (pools and threads growing), which is not the steady state.
    /// </summary>
    public async Task<SteadyResult> SteadyAsync(int perSecond, TimeSpan duration, TimeSpan warmUp)
    {
        var before = Snapshot();
        var start = Stopwatch.GetTimestamp();
        var measuredFrom = start + (long)(warmUp.TotalSeconds * Stopwatch.Frequency);
        var total = (int)(perSecond * (warmUp + duration).TotalSeconds);
        var inFlight = new List<Task>(total);
        for (var i = 0; i < total; i++)
        {
            var due = start + (long)(i * (double)Stopwatch.Frequency / perSecond);
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
            if (wait > TimeSpan.Zero) await Task.Delay(wait);
            inFlight.Add(PublishAsync(_tenants[i % _tenants.Count]));
        }
        await Task.WhenAll(inFlight);
        await DrainAsync();
        var latencies = _healthy.SelectMany(p => _sink.Stats(p).Arrivals).Where(a => a.At >= measuredFrom).Select(a => a.LatencyMs).ToList();
        var (_, distinct) = Snapshot();
        return new SteadyResult(latencies, Math.Max(0, total * EndpointsPerTenant - (distinct - before.Distinct)));
    }

    /// <summary>Disables the bad endpoints, so their pending retries do not weigh on the scenarios after this one.</summary>
    public async Task RetireBadEndpointsAsync()
    {
        foreach (var (tenant, endpoint) in _bad) (await tenant.PostAsync($"/api/v1/webhook-endpoints/{endpoint}/disable", null)).EnsureSuccessStatusCode();
    }

    private async Task PublishAsync(HttpClient tenant)
    {
        var n = Interlocked.Increment(ref _published);
        using var response = await tenant.PostAsJsonAsync("/api/v1/events",
            new { event_type = "invoice.paid", data = new { invoice_id = $"in_{_name}_{n}", amount_cents = 4200, currency = "EUR" } });
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"Publishing answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    private async Task PublishBatchAsync(HttpClient tenant, int size)
    {
        var first = Interlocked.Add(ref _published, size) - size;
        var events = Enumerable.Range(first + 1, size)
            .Select(n => new { event_type = "invoice.paid", data = new { invoice_id = $"in_{_name}_{n}", amount_cents = 4200, currency = "EUR" } });
        using var response = await tenant.PostAsJsonAsync("/api/v1/events/batch", new { events });
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"Publishing a batch answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>Until every healthy endpoint has a delivery for every event published to its tenant.</summary>
    private async Task DrainAsync()
    {
        var expected = Volatile.Read(ref _published) * EndpointsPerTenant;
        var deadline = Stopwatch.StartNew();
        while (Snapshot().Distinct < expected && deadline.Elapsed < DrainTimeout) await Task.Delay(20);
    }

    private (int Requests, int Distinct) Snapshot() =>
        (_healthy.Sum(p => _sink.Stats(p).Requests), _healthy.Sum(p => _sink.Stats(p).Distinct));
}
