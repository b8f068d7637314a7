using static Integrations.Bench.BenchKit;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Integrations.Bench.Connectors;
using Integrations.Bench.Webhooks;

// The connector runtime, end to end (docs/connections.md#performance): events posted to the API,
// routed by the Workers' connectors pipeline and sent to a zero-latency provider in this process.
//   1. the ceiling: the provider driven by a plain HttpClient (16 requests in flight);
//   2. calls/s of the pipeline alone at fan-out 1 and 10 routes (one connection each): a backlog
//      accepted while the Workers host was stopped, drained after it starts;
//   3. a healthy connection's end-to-end p99 (event accepted -> call answered) at a steady 20 events/s,
//      alone and with a hanging and an always-500 connection beside it, in alternating rounds; with the
//      API's p99 for accepting the events in both, i.e. ingestion with a hanging provider vs without.
// --quick shortens the phases.
var root = RepositoryRoot();
var quick = args.Contains("--quick");
var load = TimeSpan.FromSeconds(quick ? 5 : 10);
var backlog = quick ? 500 : 2_000;

var report = new StringBuilder();
void Line(string text)
{
    Console.WriteLine(text);
    report.AppendLine(text);
}

Line($"Connector runtime benchmark — {Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, load average " +
     File.ReadAllText("/proc/loadavg").Split(' ')[0] + (quick ? " (quick)" : ""));
await using var provider = await ProviderSink.StartAsync();
// A hanging provider's calls give up after 5 s (30 s in production), so the beside phase sees its timeouts and retries too.
await using var platform = await Platform.StartAsync(root, new Dictionary<string, string> { ["Connectors__Timeout"] = "00:00:05" });
using var admin = platform.Client(platform.AdminKey);

// 1. The ceiling.
var ceiling = await PlainClientAsync(provider, load);
Line($"1. plain HttpClient against the provider: {ceiling:F0} requests/s");

// 2. The pipeline alone.
foreach (var fanOut in new[] { 1, 10 })
{
    var tenant = await platform.CreateTenantAsync(admin);
    for (var i = 0; i < fanOut; i++) await RouteAsync(tenant, await ConnectAsync(tenant, provider, "ok"));
    await platform.StopWorkersAsync();
    await PostEventsAsync(tenant, backlog, concurrency: 16);
    platform.StartWorkers();
    var (calls, seconds) = await DrainAsync(platform.ConnectionString, backlog * fanOut, TimeSpan.FromMinutes(5));
    var rate = calls / seconds;
    Line($"2. fan-out {fanOut,2}: {backlog} events -> {backlog * fanOut} calls, {rate:F0} calls/s from the first call to the last ({rate / ceiling:P0} of the plain client)");
    provider.Take("ok");
}

// 3. A healthy connection's latency alone and beside a hanging and an always-500 one, in alternating
//    rounds (the bad connections' routes disabled, then enabled); ingestion in the same rounds.
const int Rounds = 3;
var latencyTenant = await platform.CreateTenantAsync(admin);
await RouteAsync(latencyTenant, await ConnectAsync(latencyTenant, provider, "ok"));
var badRoutes = new List<string>();
foreach (var bad in new[] { "hang", "fail" })
{
    var connection = await ConnectAsync(latencyTenant, provider, bad);
    badRoutes.Add($"/api/v1/connections/{connection}/routes/{(await RouteAsync(latencyTenant, connection)).GetProperty("id").GetGuid()}");
}
List<double> aloneCalls = [], aloneIngest = [], besideCalls = [], besideIngest = [];
for (var round = 0; round < Rounds; round++)
{
    foreach (var beside in new[] { false, true })
    {
        foreach (var route in badRoutes) await JsonAsync(await latencyTenant.PatchAsJsonAsync(route, new { enabled = beside }));
        var (calls, ingest) = await SteadyAsync(latencyTenant, provider, load);
        (beside ? besideCalls : aloneCalls).AddRange(calls);
        (beside ? besideIngest : aloneIngest).AddRange(ingest);
    }
}
Line($"3. healthy connection, event accepted -> call answered, p50 / p99 over {Rounds} alternating rounds: alone {P(aloneCalls, 0.5):F0} / {P(aloneCalls, 0.99):F0} ms " +
     $"({aloneCalls.Count} calls); beside a hanging and an always-500 connection {P(besideCalls, 0.5):F0} / {P(besideCalls, 0.99):F0} ms ({besideCalls.Count} calls): " +
     $"p99 ratio {P(besideCalls, 0.99) / P(aloneCalls, 0.99):F2} (target <= 1.2)");
Line($"   event ingestion (POST /api/v1/events) p99: without a hanging provider {P(aloneIngest, 0.99):F1} ms, with one {P(besideIngest, 0.99):F1} ms " +
     $"(ratio {P(besideIngest, 0.99) / P(aloneIngest, 0.99):F2}); load average now {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");

Directory.CreateDirectory(Path.Combine(root, ".build"));
await File.WriteAllTextAsync(Path.Combine(root, ".build/bench-connectors.txt"), report.ToString());
return;

static async Task<double> PlainClientAsync(ProviderSink provider, TimeSpan duration)
{
    using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { BaseAddress = provider.BaseAddress };
    var sent = 0L;
    var clock = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, 16).Select(async _ =>
    {
        while (clock.Elapsed < duration)
        {
            using var answer = await client.PutAsJsonAsync("/ok/r/x", new { ts = DateTimeOffset.UtcNow });
            Interlocked.Increment(ref sent);
        }
    }));
    provider.Take("ok");
    return sent / clock.Elapsed.TotalSeconds;
}

static async Task<Guid> ConnectAsync(HttpClient tenant, ProviderSink provider, string segment)
{
    var body = new
    {
        provider = "http", auth_kind = "api_key", credentials = new { api_key = "bench-key-" + Guid.NewGuid().ToString("N") },
        settings = new { base_url = new Uri(provider.BaseAddress, "/" + segment).ToString(), health_check_path = "/me", account_id_path = "data.id" },
    };
    return (await JsonAsync(await tenant.PostAsJsonAsync("/api/v1/connections", body))).GetProperty("connection").GetProperty("id").GetGuid();
}

static async Task<JsonElement> RouteAsync(HttpClient tenant, Guid connection) => await JsonAsync(await tenant.PostAsJsonAsync($"/api/v1/connections/{connection}/routes", new
{
    event_types = new[] { "invoice.paid" }, action = "http.request",
    settings = new { method = "PUT", path = "/records/{{ data.invoice_id }}", body = new { ts = "{{ event.timestamp }}", amount = "{{ data.amount_cents }}" } },
}));

static async Task PostEventsAsync(HttpClient tenant, int count, int concurrency)
{
    var next = -1;
    await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
    {
        while (Interlocked.Increment(ref next) < count) await PostEventAsync(tenant, next);
    }));
}

// Events at a steady 20/s for the duration; the healthy connection's latencies and the API's.
static async Task<(List<double> Calls, List<double> Ingestion)> SteadyAsync(HttpClient tenant, ProviderSink provider, TimeSpan duration)
{
    provider.Take("ok");
    var ingestion = new List<double>();
    var posts = new List<Task<double>>();
    var clock = Stopwatch.StartNew();
    for (var i = 0; clock.Elapsed < duration; i++)
    {
        posts.Add(PostEventAsync(tenant, i));
        var due = TimeSpan.FromMilliseconds(50 * (i + 1)) - clock.Elapsed;
        if (due > TimeSpan.Zero) await Task.Delay(due);
    }
    ingestion.AddRange(await Task.WhenAll(posts));
    // The calls of the last events arrive within a second or two.
    var calls = new List<double>();
    var deadline = Stopwatch.StartNew();
    while (calls.Count < posts.Count && deadline.Elapsed < TimeSpan.FromSeconds(30))
    {
        calls.AddRange(provider.Take("ok"));
        await Task.Delay(100);
    }
    return (calls, ingestion);
}

static async Task<(long Calls, double Seconds)> DrainAsync(string connectionString, long expected, TimeSpan limit)
{
    await using var connection = new Npgsql.NpgsqlConnection(connectionString);
    await connection.OpenAsync();
    var clock = Stopwatch.StartNew();
    double? first = null;
    long firstCount = 0, done = 0;
    while (clock.Elapsed < limit)
    {
        await using var command = new Npgsql.NpgsqlCommand("select count(*) from connector_calls where status = 'succeeded'", connection);
        done = (long)(await command.ExecuteScalarAsync())!;
        if (first is null && done > 0) (first, firstCount) = (clock.Elapsed.TotalSeconds, done);
        if (done >= expected) break;
        await Task.Delay(50);
    }
    await using (var reset = new Npgsql.NpgsqlCommand("delete from connector_calls where status = 'succeeded'", connection)) await reset.ExecuteNonQueryAsync();
    return (done - firstCount, clock.Elapsed.TotalSeconds - (first ?? 0));
}

