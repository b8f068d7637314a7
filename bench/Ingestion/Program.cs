using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Integrations.Bench;
using Integrations.Bench.Ingestion;

// Event ingestion through the API as a producer uses it: POST /api/v1/events one event per request
// vs POST /api/v1/events/batch with 10 and 100 events, each phase for the same time with the same
// number of concurrent clients. Prints accepted events/s, request latency and the CPU the API
// process and PostgreSQL (postmaster and all backends) spent per accepted event, and the ratios.
// The Workers host is not started: what happens after the commit (relay, consumers) is not
// ingestion and would blur PostgreSQL's figure.
//   bench/run.sh Ingestion [seconds-per-phase concurrency]      (defaults: 12 s, 8 clients; about 2 minutes)
var seconds = args.Length > 0 ? int.Parse(args[0]) : 12;
var concurrency = args.Length > 1 ? int.Parse(args[1]) : 8;
// Ten seconds per path: with three, the API's tiered JIT was still compiling during the first
// measured phase (perf: its compiler thread had a quarter of the API's CPU), which more than
// doubled the single POST's API CPU per event.
var warmup = TimeSpan.FromSeconds(10);

var root = AppContext.BaseDirectory;
while (!File.Exists(Path.Combine(root, "Integrations.sln"))) root = Path.GetDirectoryName(root.TrimEnd('/')) ?? throw new InvalidOperationException("Integrations.sln not found above the benchmark.");

Console.WriteLine($"starting PostgreSQL, the dev broker and the API (Release build) ...");
await using var platform = await IngestionPlatform.StartAsync(root);
using var admin = platform.Client(platform.AdminKey);
var tenant = await Json(await admin.PostAsJsonAsync("/api/v1/tenants", new { name = "bench-ingestion", plan = "enterprise" }));
var tenantId = tenant.GetProperty("id").GetGuid();
var key = (await Json(await admin.PostAsync($"/api/v1/tenants/{tenantId}/api-keys", null))).GetProperty("key").GetString()!;
using var client = platform.Client(key);

var serial = 0L;
string Event()
{
    var n = Interlocked.Increment(ref serial);
    return $$$"""{"event_type":"invoice.paid","data":{"invoice_id":"in_{{{n}}}","amount_cents":{{{n % 100_000}}},"currency":"EUR","customer_id":"cus_{{{n % 977}}}"}}""";
}

// One request: a single event, or a batch of `size`; every request carries its own Idempotency-Key, as the docs advise.
async Task<int> PublishAsync(int size)
{
    var (path, body) = size == 0
        ? ("/api/v1/events", Event())
        : ("/api/v1/events/batch", "{\"events\":[" + string.Join(',', Enumerable.Range(0, size).Select(_ => Event())) + "]}");
    using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
    request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
    using var response = await client.SendAsync(request);
    if (response.StatusCode != HttpStatusCode.Accepted)
        throw new InvalidOperationException($"{path} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    return Math.Max(size, 1);
}

async Task<(long Events, List<double> Latencies, TimeSpan Elapsed)> RunAsync(int size, TimeSpan duration)
{
    var latencies = new List<double>();
    long events = 0;
    var clock = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
    {
        var own = new List<double>();
        while (clock.Elapsed < duration)
        {
            var start = Stopwatch.GetTimestamp();
            var accepted = await PublishAsync(size);
            own.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            Interlocked.Add(ref events, accepted);
        }
        lock (latencies) latencies.AddRange(own);
    }));
    return (events, latencies, clock.Elapsed);
}

var phases = new[] { ("single POST", 0), ("batch of 10", 10), ("batch of 100", 100) };
// Every path warm (JIT tiers, connection pools, plan caches) before any is measured.
foreach (var (_, size) in phases) await RunAsync(size, warmup);
var results = new List<Result>();
foreach (var (name, size) in phases)
{
    var before = platform.CpuSeconds();
    var (events, latencies, elapsed) = await RunAsync(size, TimeSpan.FromSeconds(seconds));
    var after = platform.CpuSeconds();
    var latency = Measure.Summarise(latencies);
    var result = new Result(name, events, latencies.Count, events / elapsed.TotalSeconds, latency,
        (after.Api - before.Api) * 1000 / events, (after.Postgres - before.Postgres) * 1000 / events);
    results.Add(result);
    Console.WriteLine($"{name,-13} {result.Events,8:N0} events in {result.Requests,6:N0} requests  {result.EventsPerSecond,8:N0} events/s  " +
                      $"request {latency}  CPU/event: API {result.ApiCpuMs,6:F3} ms  PostgreSQL {result.PostgresCpuMs,6:F3} ms");
}

var stored = await platform.CountEventsAsync(tenantId);
var published = results.Sum(r => r.Events);
Console.WriteLine($"stored events: {stored:N0} (the measured phases accepted {published:N0}, warm-ups the rest)");
Console.WriteLine();
Console.WriteLine($"{concurrency} concurrent clients, {seconds} s per phase; ratios batch / single POST:");
var single = results[0];
foreach (var batch in results.Skip(1))
{
    Console.WriteLine($"  {batch.Name,-13} events/s x{batch.EventsPerSecond / single.EventsPerSecond,6:F1}   " +
                      $"API CPU/event x{batch.ApiCpuMs / single.ApiCpuMs,6:F3}   PostgreSQL CPU/event x{batch.PostgresCpuMs / single.PostgresCpuMs,6:F3}   " +
                      $"(API+PostgreSQL CPU/event {batch.ApiCpuMs + batch.PostgresCpuMs:F3} ms vs {single.ApiCpuMs + single.PostgresCpuMs:F3} ms)");
}
return 0;

static async Task<JsonElement> Json(HttpResponseMessage response)
{
    var text = await response.Content.ReadAsStringAsync();
    if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"{response.RequestMessage?.RequestUri} answered {(int)response.StatusCode}: {text}");
    return JsonDocument.Parse(text).RootElement.Clone();
}

internal sealed record Result(string Name, long Events, int Requests, double EventsPerSecond, Measure.Latency Latency, double ApiCpuMs, double PostgresCpuMs);
