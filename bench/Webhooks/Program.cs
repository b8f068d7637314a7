using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using Integrations.Bench.Webhooks;

// Webhook delivery, end to end (docs/webhooks.md#performance): events posted to the API, delivered
// by the Workers host to a local sink, on this machine. One run, about three minutes:
//   1. the ceiling: the sink driven by a plain HttpClient;
//   2. sustained deliveries/s at fan-out 1 and fan-out 10 (events posted as fast as the API takes them);
//   3. latency at a steady 200 events/s;
//   4. the same with a hanging and an always-500 endpoint beside the healthy one;
//   5. resident memory of every process.
var root = RepositoryRoot();
var quick = args.Contains("--quick");
var load = TimeSpan.FromSeconds(quick ? 5 : 15);
var steady = TimeSpan.FromSeconds(quick ? 8 : 20);

Console.WriteLine($"Webhook delivery benchmark — {Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
await using var sink = await Sink.StartAsync();
await using var platform = await Platform.StartAsync(root, new Dictionary<string, string>
{
    // The failing endpoint of scenario 4 must keep failing for the whole run instead of being disabled.
    ["Webhooks__AutoDisableAfterConsecutiveFailures"] = "100000000",
});
using var admin = platform.Client(platform.AdminKey);
var memory = new Dictionary<string, double>();
void SampleMemory()
{
    foreach (var (process, mib) in platform.Memory()) memory[process] = Math.Max(memory.GetValueOrDefault(process), mib);
}

var report = new StringBuilder();
void Line(string text)
{
    Console.WriteLine(text);
    report.AppendLine(text);
}

// 1. The ceiling.
var ceiling = await Ceiling(sink, TimeSpan.FromSeconds(5));
Line($"ceiling (plain HttpClient → sink, 64 in flight): {ceiling,8:F0} requests/s");

// 2. Throughput.
foreach (var (fanOut, tenants) in new[] { (1, 4), (10, 2) })
{
    var scenario = await Scenario.CreateAsync(platform, admin, sink, $"fan{fanOut}", tenants, fanOut);
    await scenario.WarmUpAsync();
    var result = await scenario.FloodAsync(load);
    SampleMemory();
    Line($"fan-out {fanOut,2}: {result.Deliveries,7} deliveries in {result.Elapsed.TotalSeconds,5:F1} s = {result.PerSecond,7:F0} deliveries/s " +
         $"({result.PerSecond / ceiling:P0} of the ceiling); events accepted {result.AcceptedPerSecond:F0}/s; " +
         $"steady window {result.SteadyPerSecond:F0}/s; duplicates {result.Duplicates}, missing {result.Missing}");
}

// 3. Latency at a steady rate.
var baseline = await Scenario.CreateAsync(platform, admin, sink, "steady", 1, 1);
await baseline.WarmUpAsync();
var steadyResult = await baseline.SteadyAsync(200, steady);
SampleMemory();
Line($"steady 200 events/s, fan-out 1: {steadyResult.Latency}; missing {steadyResult.Missing}");

// 4. Bad neighbours.
var mixed = await Scenario.CreateAsync(platform, admin, sink, "mixed", 1, 1, withBadEndpoints: true);
await mixed.WarmUpAsync();
var mixedResult = await mixed.SteadyAsync(200, steady);
SampleMemory();
Line($"steady 200 events/s with a hanging and an always-500 endpoint beside: healthy {mixedResult.Latency}; missing {mixedResult.Missing}");
Line($"healthy p99 with bad endpoints / baseline p99: {mixedResult.Latency.P99 / steadyResult.Latency.P99:F2}x " +
     $"(hanging endpoint got {mixed.Hanging}, failing endpoint got {mixed.Failing} requests)");

// 5. Memory.
Line("resident memory, highest sample (MiB): " + string.Join("; ", memory.Select(m => $"{m.Key} {m.Value:F0}")));
Directory.CreateDirectory(Path.Combine(root, ".build"));
await File.WriteAllTextAsync(Path.Combine(root, ".build", "bench-webhooks.txt"), report.ToString());
return 0;

static async Task<double> Ceiling(Sink sink, TimeSpan duration)
{
    using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 512 });
    var url = sink.Url("/ceiling");
    var body = Encoding.UTF8.GetBytes("""{"id":"0193a5f3-4d5e-7f60-8172-93a4b5c6d7e8","event_type":"invoice.paid","timestamp":"2026-11-22T09:15:00+00:00","data":{"invoice_id":"in_1","amount_cents":4200,"currency":"EUR"},"webhook_id":"7e5b358b-61c1-581e-9bee-61e5e6d7b450","endpoint_id":"0193a5f2-6c1e-7a44-9b1d-3f0e8c2a7d51"}""");
    var stop = Stopwatch.StartNew();
    var count = 0;
    await Task.WhenAll(Enumerable.Range(0, 64).Select(async _ =>
    {
        while (stop.Elapsed < duration)
        {
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            using var response = await client.PostAsync(url, content);
            Interlocked.Increment(ref count);
        }
    }));
    return count / stop.Elapsed.TotalSeconds;
}

static string RepositoryRoot()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        if (File.Exists(Path.Combine(dir.FullName, "Integrations.sln"))) return dir.FullName;
    throw new InvalidOperationException("Integrations.sln not found above the benchmark binaries.");
}
