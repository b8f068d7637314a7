using static Integrations.Bench.BenchKit;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Integrations.Bench.Schedules;
using Integrations.Bench.Webhooks;

// Scheduled syncs at scale (docs/schedules.md#performance): 10,000 http_poll schedules, all due at
// the same minute, through 100 connections of one provider that allows 60 calls a minute per
// connection and 600 in total (a fake in this process that answers 429 beyond). Printed: the time
// to drain, the highest concurrency seen (runs, and calls at the provider), the 429s the provider
// returned (the aim: none), and event ingestion's p99 while it drains against the same measure
// just before (same run). --quick: 1,000 schedules through 20 connections.
var root = RepositoryRoot();
var quick = args.Contains("--quick");
var (scheduleCount, connectionCount, tenantCount) = quick ? (1_000, 20, 4) : (10_000, 100, 10);
const int PerConnection = 60, Total = 600;
// Our quotas sit 5 % under the provider's: a call counted at the very end of one of our minutes can
// reach the provider in its next one (docs/schedules.md#performance).
var (ourPerConnection, ourTotal) = (PerConnection * 95 / 100, Total * 95 / 100);

var report = new StringBuilder();
void Line(string text)
{
    Console.WriteLine(text);
    report.AppendLine(text);
}

Line($"Schedules benchmark — {Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, load average " +
     File.ReadAllText("/proc/loadavg").Split(' ')[0] + (quick ? " (quick)" : ""));
await using var provider = await QuotaProvider.StartAsync(PerConnection, Total);
await using var platform = await Platform.StartAsync(root, new Dictionary<string, string>
{
    ["Workers__Pipelines"] = "outbox-relay,schedules",
    ["Providers__http__Quotas__0__Limit"] = ourPerConnection.ToString(System.Globalization.CultureInfo.InvariantCulture),
    ["Providers__http__Quotas__0__Period"] = "00:01:00",
    ["Providers__http__Quotas__0__Per"] = "connection",
    ["Providers__http__Quotas__1__Limit"] = ourTotal.ToString(System.Globalization.CultureInfo.InvariantCulture),
    ["Providers__http__Quotas__1__Period"] = "00:01:00",
    ["Providers__http__Quotas__1__Per"] = "provider",
});
using var admin = platform.Client(platform.AdminKey);

// The schedules: one daily cron occurrence a few minutes ahead, the same for all.
var due = DateTimeOffset.UtcNow.AddMinutes(quick ? 2 : 4);
due = new DateTimeOffset(due.Year, due.Month, due.Day, due.Hour, due.Minute, 0, TimeSpan.Zero);
var creating = Stopwatch.StartNew();
var tenants = new List<HttpClient>();
for (var t = 0; t < tenantCount; t++) tenants.Add(await platform.CreateTenantAsync(admin));
var connections = new List<(HttpClient Tenant, Guid Id)>();
for (var c = 0; c < connectionCount; c++)
{
    var tenant = tenants[c % tenantCount];
    var connection = await JsonAsync(await tenant.PostAsJsonAsync("/api/v1/connections", new
    {
        provider = "http", auth_kind = "api_key", credentials = new { api_key = "bench-key-" + Guid.NewGuid().ToString("N") },
        settings = new { base_url = new Uri(provider.BaseAddress, $"/c{c}").ToString(), health_check_path = "/me", account_id_path = "data.id" },
    }));
    connections.Add((tenant, connection.GetProperty("connection").GetProperty("id").GetGuid()));
}
var next = -1;
await Task.WhenAll(Enumerable.Range(0, 16).Select(async _ =>
{
    while (Interlocked.Increment(ref next) is var i && i < scheduleCount)
    {
        var (tenant, connection) = connections[i % connectionCount];
        await JsonAsync(await tenant.PostAsJsonAsync("/api/v1/schedules", new
        {
            name = $"nightly {i}", cron = $"{due.Minute} {due.Hour} * * *", time_zone = "UTC", connection_id = connection,
            job = new { kind = "http_poll", config = new { path = "/records", cursor_field = "seq" } },
        }));
    }
}));
Line($"{scheduleCount} schedules through {connectionCount} connections of {tenantCount} tenants created in {creating.Elapsed.TotalSeconds:F0} s, all due at {due:HH:mm} UTC; " +
     $"provider: {PerConnection}/min per connection, {Total}/min in total; ours: {ourPerConnection} and {ourTotal}");

// Ingestion before the occurrence (the baseline), then from it until every run has finished.
using var publisher = await platform.CreateTenantAsync(admin);
var untilDue = due - DateTimeOffset.UtcNow;
if (untilDue < TimeSpan.FromSeconds(20)) throw new InvalidOperationException($"Creating the schedules took too long: only {untilDue.TotalSeconds:F0} s left before they are due.");
var idle = await SteadyAsync(publisher, untilDue - TimeSpan.FromSeconds(2), () => false);
while (DateTimeOffset.UtcNow < due) await Task.Delay(100);

var drain = Stopwatch.StartNew();
var (mostRunning, finished, failed) = (0L, 0L, 0L);
var watching = Task.Run(async () =>
{
    await using var connection = new Npgsql.NpgsqlConnection(platform.ConnectionString);
    await connection.OpenAsync();
    while (finished < scheduleCount && drain.Elapsed < TimeSpan.FromMinutes(quick ? 10 : 40))
    {
        await using var command = new Npgsql.NpgsqlCommand("""
            select count(*) filter (where status = 'running'), count(*) filter (where status <> 'running'),
                   count(*) filter (where status in ('failed', 'timed_out', 'lost'))
            from schedule_runs
            """, connection);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        mostRunning = Math.Max(mostRunning, reader.GetInt64(0));
        (finished, failed) = (reader.GetInt64(1), reader.GetInt64(2));
        await Task.Delay(250);
    }
});
var busy = await SteadyAsync(publisher, TimeSpan.FromMinutes(quick ? 10 : 40), () => watching.IsCompleted);
await watching;
var drained = drain.Elapsed;
var floor = TimeSpan.FromMinutes((double)scheduleCount / ourTotal);

Line($"drained: {finished} of {scheduleCount} runs finished {drained.TotalSeconds:F0} s after the occurrence ({failed} failed, timed out or lost); " +
     $"the provider's total quota alone needs {floor.TotalSeconds:F0} s");
Line($"highest concurrency: {mostRunning} runs at once (bounds: Schedules:MaxConcurrency 64, per provider 16, per tenant 4, per connection 1), " +
     $"{provider.MostInFlight} calls in flight at the provider");
Line($"provider: {provider.Answered} calls answered, {provider.Refused} answered 429 (the aim: 0)");
Line($"event ingestion (POST /api/v1/events at 20/s) p50 / p99: before the occurrence {P(idle, 0.5):F1} / {P(idle, 0.99):F1} ms ({idle.Count}), " +
     $"while it drained {P(busy, 0.5):F1} / {P(busy, 0.99):F1} ms ({busy.Count}): p99 ratio {P(busy, 0.99) / P(idle, 0.99):F2}; " +
     $"load average now {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");

Directory.CreateDirectory(Path.Combine(root, ".build"));
await File.WriteAllTextAsync(Path.Combine(root, ".build/bench-schedules.txt"), report.ToString());
return;

// Events at a steady 20/s until the duration passes or done() holds; each POST's latency.
static async Task<List<double>> SteadyAsync(HttpClient tenant, TimeSpan duration, Func<bool> done)
{
    var posts = new List<Task<double>>();
    var clock = Stopwatch.StartNew();
    for (var i = 0; clock.Elapsed < duration && !done(); i++)
    {
        posts.Add(PostEventAsync(tenant, i));
        var wait = TimeSpan.FromMilliseconds(50 * (i + 1)) - clock.Elapsed;
        if (wait > TimeSpan.Zero) await Task.Delay(wait);
    }
    return [.. await Task.WhenAll(posts)];
}

