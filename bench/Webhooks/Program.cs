using System.Diagnostics;
using System.Text;
using Integrations.Bench.Webhooks;

// Webhook delivery, end to end (docs/webhooks.md#performance): events posted to the API, delivered
// by the Workers host to a local sink, on this machine. One run, about nine minutes:
//   1. the ceiling: the sink driven by a plain HttpClient;
//   2. latency at a steady 50 and 200 events/s, alone and with a hanging and an always-500
//      endpoint beside the healthy one, in alternating rounds (first, on a fresh system; each
//      round starts when the platform has caught up with the one before);
//   3. sustained deliveries/s at fan-out 1 and 10, events posted as fast as the API takes them,
//      one per request and in batches of 50 (POST /api/v1/events/batch);
//   4. the delivery pipeline alone at fan-out 1 and 10: a backlog accepted while the Workers host
//      was stopped, drained after it starts (the API's ingestion rate is no limit there);
//   5. memory of every process, and CPU time per delivery by process.
// --quick shortens the phases; --latency-only runs phase 2 only, --throughput-only skips it (for profiling one or the other).
var root = RepositoryRoot();
var quick = args.Contains("--quick");
var throughputOnly = args.Contains("--throughput-only");
var latencyOnly = args.Contains("--latency-only");
var load = TimeSpan.FromSeconds(quick ? 5 : 10);
var steady = TimeSpan.FromSeconds(quick ? 5 : 10);
var steadyWarmUp = TimeSpan.FromSeconds(2);
// Latency alone and beside bad endpoints is measured in this many alternating rounds.
const int Rounds = 3;
// Events accepted while the Workers host is stopped: enough for several seconds of draining at each fan-out.
var backlog = quick ? 1_000 : 4_000;

var report = new StringBuilder();
void Line(string text)
{
    Console.WriteLine(text);
    report.AppendLine(text);
}

// Other work on the machine takes cores from the platform: the load average says how much.
static string LoadAverage() => File.ReadAllText("/proc/loadavg").Split(' ')[0];
Line($"Webhook delivery benchmark — {Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, load average {LoadAverage()}" + (quick ? " (quick)" : "") + (throughputOnly ? " (throughput only)" : "") + (latencyOnly ? " (latency only)" : ""));

await using var sink = await Sink.StartAsync();
await using var platform = await Platform.StartAsync(root, new Dictionary<string, string>
{
    // The failing endpoints of the "beside" phases must keep failing for the whole phase instead of being disabled.
    ["Webhooks__AutoDisableAfterConsecutiveFailures"] = "100000000",
});
using var admin = platform.Client(platform.AdminKey);
var memory = new Dictionary<string, double>();
var profiles = new List<string>();
void SampleMemory()
{
    foreach (var (role, mib) in platform.Memory()) memory[role] = Math.Max(memory.GetValueOrDefault(role), mib);
}

async Task Quiet(int seconds = 60)
{
    var waited = await platform.WaitForQuietAsync(TimeSpan.FromSeconds(seconds));
    if (waited > TimeSpan.FromSeconds(1)) Line($"    (waited {waited.TotalSeconds:F0} s for the platform to catch up)");
}

string CpuPerDelivery(IReadOnlyDictionary<string, double> before, int deliveries)
{
    var after = platform.CpuSeconds();
    return "CPU per delivery: " + string.Join(", ", after.Select(a => $"{a.Key} {(a.Value - before.GetValueOrDefault(a.Key)) * 1000 / Math.Max(1, deliveries):F2} ms"));
}

// 1. The ceiling.
var ceiling = await Ceiling(sink, TimeSpan.FromSeconds(5));
Line($"ceiling (plain HttpClient → sink, 64 in flight): {ceiling:F0} requests/s");

// 2. Latency at a steady rate, alone and beside bad endpoints. On two shared cores a second of
// background work (an autovacuum run, a checkpoint, another guest) lifts the p99 of whichever
// phase it falls into, so one phase each would compare the machine's moments as much as the bad
// endpoints. Alone and beside alternate for three rounds; each round's pair is compared, and the
// median of the three pairs is the isolation figure. The bad endpoints stay registered through
// the alone rounds of their rate (they get no new events then; a probe of their circuit may go).
foreach (var rate in throughputOnly ? [] : new[] { 50, 200 })
{
    var baseline = await Scenario.CreateAsync(platform, admin, sink, $"steady{rate}", 1, 1);
    var mixed = await Scenario.CreateAsync(platform, admin, sink, $"mixed{rate}", 1, 1, withBadEndpoints: true);
    await baseline.WarmUpAsync();
    await mixed.WarmUpAsync();
    var alone = new List<SteadyResult>();
    var beside = new List<SteadyResult>();
    var busy = new List<string>();
    // CPU seconds by process over the rounds of each kind, to say what the bad endpoints cost.
    var cpuAlone = new Dictionary<string, double>();
    var cpuBeside = new Dictionary<string, double>();
    var from = DateTimeOffset.UtcNow;
    async Task Round(Scenario scenario, List<SteadyResult> results, Dictionary<string, double> cpuUsed)
    {
        await Quiet();
        var before = await Background.ReadAsync(platform.ConnectionString);
        var cpuBefore = platform.CpuSeconds();
        results.Add(await scenario.SteadyAsync(rate, steady, steadyWarmUp));
        foreach (var (role, seconds) in platform.CpuSeconds()) cpuUsed[role] = cpuUsed.GetValueOrDefault(role) + seconds - cpuBefore.GetValueOrDefault(role);
        var after = await Background.ReadAsync(platform.ConnectionString);
        busy.Add(before.CountsUntil(after));
    }
    string CpuPerEvent(Dictionary<string, double> used)
    {
        var events = Rounds * rate * (steady + steadyWarmUp).TotalSeconds;
        return "CPU per event: " + string.Join(", ", used.Select(u => $"{u.Key} {u.Value * 1000 / events:F2} ms")) + $" ({used.Values.Sum() * 1000 / events:F2} ms in all)";
    }
    // PostgreSQL's statements over the rounds at 200 events/s, both kinds: what a steady load costs it.
    var steadyStatements = rate == 200 ? await Statements.StartAsync(platform.ConnectionString) : null;
    for (var round = 0; round < Rounds; round++)
    {
        if (round == 0) from = DateTimeOffset.UtcNow;
        await Round(baseline, alone, cpuAlone);
        await Round(mixed, beside, cpuBeside);
        SampleMemory();
    }
    if (steadyStatements is not null) profiles.Add($"PostgreSQL statements, {rate} events/s, alone and beside (pg_stat_statements):\n" + await steadyStatements.DescribeAsync());
    await mixed.RetireBadEndpointsAsync();
    static string ByRound(IEnumerable<SteadyResult> rounds) => string.Join(" / ", rounds.Select(r => $"{r.Latency.P99:F0}"));
    var aloneAll = SteadyResult.Pool(alone);
    var besideAll = SteadyResult.Pool(beside);
    Line($"steady {rate} events/s, fan-out 1: {aloneAll.Latency}; missing {aloneAll.Missing}; p99 by round {ByRound(alone)} ms");
    Line("    stages: " + await Stages.DescribeAsync(platform.ConnectionString, from, baseline.HealthyEndpointIds));
    Line("    " + CpuPerEvent(cpuAlone));
    Line($"steady {rate} events/s, a hanging and an always-500 endpoint beside: healthy {besideAll.Latency}; missing {besideAll.Missing}; p99 by round {ByRound(beside)} ms");
    Line("    stages: " + await Stages.DescribeAsync(platform.ConnectionString, from, mixed.HealthyEndpointIds));
    Line("    " + CpuPerEvent(cpuBeside));
    var ratios = alone.Zip(beside, (a, b) => b.Latency.P99 / a.Latency.P99).ToList();
    Line($"    healthy p99 / alone p99: {ratios.Order().ElementAt(ratios.Count / 2):F2}x, the median of {Rounds} rounds ({string.Join(" / ", ratios.Select(r => $"{r:F2}"))}; " +
         $"all rounds together {besideAll.Latency.P99 / aloneAll.Latency.P99:F2}x) (the hanging endpoint got {mixed.Hanging} requests, the failing one {mixed.Failing})");
    Line($"    PostgreSQL's background work by round, alone and beside in turn (autovacuum/autoanalyze runs / checkpoints): {string.Join(", ", busy)}");
}

// 3 and 4. Throughput, with live ingestion and from a backlog.
foreach (var (fanOut, tenants, events) in latencyOnly ? [] : new[] { (1, 4, backlog), (10, 2, backlog / 4) })
{
    var scenario = await Scenario.CreateAsync(platform, admin, sink, $"fan{fanOut}", tenants, fanOut);
    await scenario.WarmUpAsync();
    await Quiet(30);
    // PostgreSQL's statements are profiled over the fan-out 1 phases, where a delivery is an event,
    // and over fan-out 10 with batches, where the delivery's own work is nearly all there is.
    var statements = fanOut == 1 ? await Statements.StartAsync(platform.ConnectionString) : null;
    var cpu = platform.CpuSeconds();
    var background = await Background.ReadAsync(platform.ConnectionString);
    var live = await scenario.FloodAsync(load);
    SampleMemory();
    Line($"fan-out {fanOut,2}, live: {live.PerSecond,6:F0} deliveries/s ({live.PerSecond / ceiling:P1} of the ceiling) — {live.Deliveries} in {live.Elapsed.TotalSeconds:F1} s; " +
         $"events accepted {live.AcceptedPerSecond:F0}/s; duplicates {live.Duplicates}, missing {live.Missing}");
    Line("    " + CpuPerDelivery(cpu, live.Deliveries) + await background.SinceAsync(platform.ConnectionString));
    // The same with the product publishing through the batch endpoint: ingestion is no longer one
    // transaction per event. Each round takes about five seconds, so a second of background work
    // (autovacuum, a checkpoint) in one of them is a fifth of it: three rounds, and their median.
    await Quiet(30);
    if (fanOut == 10) statements = await Statements.StartAsync(platform.ConnectionString);
    var rounds = new List<FloodResult>();
    for (var round = 0; round < Rounds; round++)
    {
        if (round > 0) await Quiet(30);
        cpu = platform.CpuSeconds();
        background = await Background.ReadAsync(platform.ConnectionString);
        // Capped at what the delivery pipeline drains in about ten seconds (see the backlog phases).
        var batched = await scenario.FloodAsync(load, batch: 50, maxEvents: fanOut == 1 ? 12_000 : 2_500);
        SampleMemory();
        rounds.Add(batched);
        Line($"fan-out {fanOut,2}, live, batches of 50, round {round + 1}: {batched.PerSecond,6:F0} deliveries/s ({batched.PerSecond / ceiling:P1} of the ceiling) — {batched.Deliveries} in {batched.Elapsed.TotalSeconds:F1} s; " +
             $"events accepted {batched.AcceptedPerSecond:F0}/s; duplicates {batched.Duplicates}, missing {batched.Missing}");
        Line("    " + CpuPerDelivery(cpu, batched.Deliveries) + await background.SinceAsync(platform.ConnectionString));
    }
    Line($"fan-out {fanOut,2}, live, batches of 50: {rounds.Select(r => r.PerSecond).Order().ElementAt(Rounds / 2),6:F0} deliveries/s, the median of {Rounds} rounds");
    if (fanOut == 10)
    {
        await Quiet(30);
        profiles.Add("PostgreSQL statements, fan-out 10 with batches of 50 (pg_stat_statements):\n" + await statements!.DescribeAsync());
    }
    await Quiet(30);
    cpu = platform.CpuSeconds();
    background = await Background.ReadAsync(platform.ConnectionString);
    var drained = await scenario.BacklogAsync(platform, events);
    SampleMemory();
    Line($"fan-out {fanOut,2}, backlog: {drained.PerSecond,6:F0} deliveries/s ({drained.PerSecond / ceiling:P1} of the ceiling) — {drained.Deliveries} in {drained.Drain.TotalSeconds:F1} s; missing {drained.Missing}");
    Line("    " + CpuPerDelivery(cpu, drained.Deliveries) + await background.SinceAsync(platform.ConnectionString));
    if (fanOut == 1)
    {
        await Quiet(30);
        profiles.Add("PostgreSQL statements, fan-out 1, all three phases (pg_stat_statements):\n" + await statements!.DescribeAsync());
    }
}

foreach (var profile in profiles) Line(profile);

// 5. Memory.
Line($"load average at the end: {LoadAverage()}");
Line("memory (PSS), highest sample: " + string.Join(", ", memory.Select(m => $"{m.Key} {m.Value:F0} MiB")));
Directory.CreateDirectory(Path.Combine(root, ".build"));
await File.WriteAllTextAsync(Path.Combine(root, ".build", "bench-webhooks.txt"), report.ToString());
return 0;

static async Task<double> Ceiling(Sink sink, TimeSpan duration)
{
    using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 512 });
    var url = sink.Url("/ceiling");
    var body = Encoding.UTF8.GetBytes("""{"id":"0193a5f3-4d5e-7f60-8172-93a4b5c6d7e8","event_type":"invoice.paid","timestamp":"2026-11-22T09:15:00+00:00","data":{"invoice_id":"in_1","amount_cents":4200,"currency":"EUR"},"webhook_id":"0193a5f3-4d5e-881e-9bee-61e5e6d7b450","endpoint_id":"0193a5f2-6c1e-7a44-9b1d-3f0e8c2a7d51"}""");
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
