using static Integrations.Bench.BenchKit;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Integrations.Bench;
using Integrations.Bench.Webhooks;
using Microsoft.AspNetCore.Http;

// Inbound webhooks, the accepting side (docs/inbound.md#performance): signed requests to a tenant's
// inbound source (Standard Webhooks), verified, written with their Kafka message and acknowledged.
//   1. accept rate and latency, in alternating rounds against a bare Kestrel endpoint in this process
//      that only reads the body (the baseline), with the same clients, bodies and signing work;
//   2. nothing acknowledged lost: requests accepted while the Workers are stopped, then while the
//      broker is down, each for a minute, must all become inbound.received events once they are back.
// --quick shortens the phases (10 s outages instead of 60 s).
var root = RepositoryRoot();
var quick = args.Contains("--quick");
var load = TimeSpan.FromSeconds(quick ? 4 : 10);
var outage = TimeSpan.FromSeconds(quick ? 10 : 60);
const int Rounds = 3, Clients = 32;

var report = new StringBuilder();
void Line(string text)
{
    Console.WriteLine(text);
    report.AppendLine(text);
}

Line($"Inbound accept benchmark — {Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, load average " +
     File.ReadAllText("/proc/loadavg").Split(' ')[0] + (quick ? " (quick)" : ""));
var (bare, bareAddress) = await LoopbackApp.StartAsync(async context =>
{
    // What any receiver must do at least: read the whole body, answer 200.
    await context.Request.BodyReader.CopyToAsync(Stream.Null);
    context.Response.StatusCode = StatusCodes.Status200OK;
});
await using var platform = await Platform.StartAsync(root, new Dictionary<string, string> { ["Workers__Pipelines"] = "outbox-relay,inbound" });
using var admin = platform.Client(platform.AdminKey);
using var tenant = await platform.CreateTenantAsync(admin);
var source = await JsonAsync(await tenant.PostAsJsonAsync("/api/v1/inbound-sources", new { name = "bench", verifier = new { kind = "standard_webhooks" } }));
var sender = new Sender(source.GetProperty("secret").GetString()!);
var sourcePath = source.GetProperty("path").GetString()!;
var sourceId = source.GetProperty("id").GetGuid();
using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = Clients }) { Timeout = TimeSpan.FromSeconds(60) };
var bareUrl = new Uri(bareAddress, "/inbound");
var platformUrl = new Uri(platform.ApiAddress, sourcePath);

// 1. Alternating rounds, the baseline first in each.
List<double> bareLatency = [], platformLatency = [];
double bareSeconds = 0, platformSeconds = 0;
for (var round = 0; round < Rounds; round++)
{
    foreach (var (url, samples) in new[] { (bareUrl, bareLatency), (platformUrl, platformLatency) })
    {
        var clock = Stopwatch.StartNew();
        samples.AddRange(await LoadAsync(http, sender, url, load));
        if (url == bareUrl) bareSeconds += clock.Elapsed.TotalSeconds;
        else platformSeconds += clock.Elapsed.TotalSeconds;
    }
}
var (bareRate, platformRate) = (bareLatency.Count / bareSeconds, platformLatency.Count / platformSeconds);
Line($"1. {Clients} clients, {Rounds} alternating rounds of {load.TotalSeconds:F0} s, Standard Webhooks signatures, 0.3 KiB bodies:");
Line($"   bare Kestrel, body read:  {bareRate,7:F0} requests/s, p50 {P(bareLatency, 0.5),6:F2} ms, p99 {P(bareLatency, 0.99),6:F2} ms");
Line($"   POST /inbound/sources/id: {platformRate,7:F0} requests/s, p50 {P(platformLatency, 0.5),6:F2} ms, p99 {P(platformLatency, 0.99),6:F2} ms " +
     $"(verified, stored with its Kafka message, acknowledged; the Workers process them meanwhile)");
Line($"   ratio to the bare endpoint: rate {platformRate / bareRate:P1}, p99 {P(platformLatency, 0.99) / P(bareLatency, 0.99):F1}×");
await bare.StopAsync();
var drained = await WaitProcessedAsync(platform.ConnectionString, sourceId, TimeSpan.FromMinutes(5));
Line($"   all {platformLatency.Count} processed into events {drained.TotalSeconds:F1} s after the last round");

// 2. Outages: requests acknowledged meanwhile must all be processed once the part is back.
foreach (var (part, down, up) in new (string, Func<Task>, Func<Task>)[]
         {
             ("Workers stopped", platform.StopWorkersAsync, () => { platform.StartWorkers(); return Task.CompletedTask; }),
             ("broker down", platform.BrokerDownAsync, platform.BrokerUpAsync),
         })
{
    var before = await CountAsync(platform.ConnectionString, "select count(*) from inbound_requests where source_id = @s and status = 'processed'", sourceId);
    await down();
    var acknowledged = (await LoadAsync(http, sender, platformUrl, outage, clients: 4)).Count;
    var clock = Stopwatch.StartNew();
    await up();
    var recovered = await WaitProcessedAsync(platform.ConnectionString, sourceId, TimeSpan.FromMinutes(5));
    var processed = await CountAsync(platform.ConnectionString, "select count(*) from inbound_requests where source_id = @s and status = 'processed'", sourceId) - before;
    Line($"2. {part} for {outage.TotalSeconds:F0} s: {acknowledged} acknowledged meanwhile, {processed} processed after, lost {acknowledged - processed}; " +
         $"all processed {clock.Elapsed.TotalSeconds:F1} s after it came back" + (recovered == TimeSpan.MaxValue ? " (NOT within 5 minutes)" : ""));
}
var events = await CountAsync(platform.ConnectionString, "select count(*) from events where event_type = 'inbound.received' and tenant_id = (select tenant_id from inbound_sources where id = @s)", sourceId);
var requests = await CountAsync(platform.ConnectionString, "select count(*) from inbound_requests where source_id = @s", sourceId);
Line($"   in total {requests} requests stored and {events} inbound.received events (must be equal); load average now {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");

Directory.CreateDirectory(Path.Combine(root, ".build"));
await File.WriteAllTextAsync(Path.Combine(root, ".build/bench-inbound.txt"), report.ToString());
return;

static async Task<List<double>> LoadAsync(HttpClient http, Sender sender, Uri url, TimeSpan duration, int clients = Clients)
{
    var samples = new List<double>();
    var clock = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, clients).Select(async _ =>
    {
        var mine = new List<double>();
        while (clock.Elapsed < duration)
        {
            using var request = sender.Sign(url);
            var start = Stopwatch.GetTimestamp();
            using var answer = await http.SendAsync(request);
            if (!answer.IsSuccessStatusCode) throw new InvalidOperationException($"{url} answered {(int)answer.StatusCode}: {await answer.Content.ReadAsStringAsync()}");
            mine.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
        lock (samples) samples.AddRange(mine);
    }));
    return samples;
}

// Until no request of the source is pending; TimeSpan.MaxValue when the limit passed first.
static async Task<TimeSpan> WaitProcessedAsync(string connectionString, Guid sourceId, TimeSpan limit)
{
    var clock = Stopwatch.StartNew();
    while (clock.Elapsed < limit)
    {
        if (await CountAsync(connectionString, "select count(*) from inbound_requests where source_id = @s and status = 'pending'", sourceId) == 0) return clock.Elapsed;
        await Task.Delay(200);
    }
    return TimeSpan.MaxValue;
}

static async Task<long> CountAsync(string connectionString, string sql, Guid sourceId)
{
    await using var connection = new Npgsql.NpgsqlConnection(connectionString);
    await connection.OpenAsync();
    await using var command = new Npgsql.NpgsqlCommand(sql, connection);
    command.Parameters.AddWithValue("s", sourceId);
    return (long)(await command.ExecuteScalarAsync())!;
}

/// <summary>A Standard Webhooks sender: a fresh webhook-id per request.</summary>
internal sealed class Sender(string secret)
{
    private readonly StandardWebhooksSigner _signer = new(secret);
    private long _next;

    public HttpRequestMessage Sign(Uri url)
    {
        var id = $"msg_bench_{Interlocked.Increment(ref _next)}_{Guid.NewGuid():N}";
        var body = JsonSerializer.Serialize(new
        {
            type = "invoice.paid", id, data = new { invoice_id = "in_" + id, amount_cents = 4200, currency = "EUR", customer = new { id = "cus_123", email = "ap@example.com" } },
            note = new string('x', 120),
        });
        return _signer.Sign(url, id, body);
    }
}
