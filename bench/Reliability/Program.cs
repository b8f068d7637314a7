using static Integrations.Bench.BenchKit;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using Integrations.Bench;
using Integrations.Bench.Reliability;
using Integrations.Bench.Webhooks;

// Faults under load (docs/reliability.md): a steady mixed load — events through the API and signed
// inbound webhooks, every one delivered as a webhook to a sink in this process, every event also sent
// by a connector route (http.request) to the sink's provider path — and, one at a time
// while it runs, a fault: kill -9 of the API and of each Workers pipeline (each its own process,
// Workers__Pipelines), the broker down, Kafka requests failing, PostgreSQL restarted, the receiver
// hanging, the provider hanging. Then scale-out: two Workers per consumer pipeline (one killed), two API instances sharing
// rate-limit quotas and idempotency. Counted by what the sink received (marker and webhook-id) for
// what the API acknowledged (2xx). Any acknowledged item lost, a duplicate with a new webhook-id or
// Idempotency-Key, or
// idempotency or a quota not holding across instances: exit code 1.
// --quick: short phases and a short webhook and connector timeout, lease and retry schedule (a smoke run).
var root = RepositoryRoot();
var quick = args.Contains("--quick");
var before = TimeSpan.FromSeconds(quick ? 2 : 8);
var after = TimeSpan.FromSeconds(quick ? 2 : 8);
var requestErrors = quick ? 60 : 300;
var killedFor = TimeSpan.FromSeconds(quick ? 2 : 5);
var brokerDown = TimeSpan.FromSeconds(quick ? 10 : 60);
var postgresDown = TimeSpan.FromSeconds(quick ? 2 : 5);
var hang = TimeSpan.FromSeconds(quick ? 8 : 30);
// Longer than the connector runtime's timeout (30 s by default, 3 s quick), so attempts time out and are retried.
var providerHang = TimeSpan.FromSeconds(quick ? 8 : 60);
var deliveredWithin = TimeSpan.FromMinutes(quick ? 1 : 4);
const int EventsPerSecond = 20, InboundPerSecond = 5;
string[] pipelines = ["outbox-relay", "events-dispatch", "webhook-delivery", "connectors", "inbound", "schedules"];
// The production defaults except in a quick run: a 10 s timeout, a 40 s lease, retries after 1, 5 and 30 minutes.
// Connectors alike: a 30 s timeout, 5 attempts 1 s doubling up to 30 s apart, a circuit held 30 s
// (doubling up to 5 min) after 5 failures, a lease of the longest run + 30 s (5 min).
var workerTiming = quick
    ? new Dictionary<string, string>
    {
        ["Webhooks__Timeout"] = "00:00:03", ["Webhooks__LeaseDuration"] = "00:00:08", ["Webhooks__RetrySchedule"] = "5s,10s,30s",
        ["Connectors__Timeout"] = "00:00:03", ["Connectors__Retry__BaseDelay"] = "00:00:00.500", ["Connectors__Retry__MaxDelay"] = "00:00:05",
        ["Connectors__CircuitBreaker__BreakDuration"] = "00:00:05", ["Connectors__CircuitBreaker__MaxBreakDuration"] = "00:00:20",
        ["Connectors__LeaseDuration"] = "00:00:45",
    }
    : new Dictionary<string, string>();
// How long a call claimed by a killed connectors process waits before another sends it (ConnectorsOptions.Lease).
var connectorLease = quick ? TimeSpan.FromSeconds(45) : TimeSpan.FromMinutes(5);
Dictionary<string, string> Settings(string pipeline) => new(workerTiming) { ["Workers__Pipelines"] = pipeline };

var report = new StringBuilder();
void Line(string text)
{
    Console.WriteLine(text);
    report.AppendLine(text);
}

var started = Stopwatch.StartNew();
Line($"Reliability: faults under load — {Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, load average " +
     File.ReadAllText("/proc/loadavg").Split(' ')[0] + (quick
         ? " (quick: webhook timeout 3 s, lease 8 s, retries 5s,10s,30s; connector timeout 3 s, 5 attempts 0.5 s doubling up to 5 s apart, circuit 5 s up to 20 s, lease 45 s)"
         : " (webhook and connector timeout, lease, retries and circuit breaker at their defaults: webhooks 10 s, 40 s, 1m,5m,30m; " +
           "connectors 30 s, 5 min, 5 attempts 1 s doubling up to 30 s apart, circuit 30 s up to 5 min)"));
await using var sink = await DeliverySink.StartAsync();
// The platform's own Workers host runs what no fault here is about; each faulted pipeline runs alone.
await using var platform = await Platform.StartAsync(root, new Dictionary<string, string> { ["Workers__Pipelines"] = "projections" });
var workers = pipelines.ToDictionary(p => p, p => platform.StartExtraWorkers(Settings(p)));
using var admin = platform.Client(platform.AdminKey);
using var tenant = await platform.CreateTenantAsync(admin);
await Platform.CreateEndpointAsync(tenant, sink.Url("/hook"));
// A connector route (docs/connections.md, the http provider) sending every event the load posts to the sink's provider path.
var connection = await JsonAsync(await tenant.PostAsJsonAsync("/api/v1/connections", new
{
    provider = "http", auth_kind = "api_key", credentials = new { api_key = "reliability-" + Guid.NewGuid().ToString("N") },
    settings = new { base_url = sink.Url(DeliverySink.ProviderPath), health_check_path = "/me", account_id_path = "data.id" },
}));
await JsonAsync(await tenant.PostAsJsonAsync($"/api/v1/connections/{connection.GetProperty("connection").GetProperty("id").GetGuid()}/routes", new
{
    event_types = new[] { LoadGenerator.RoutedEventType }, action = "http.request",
    settings = new { method = "POST", path = "/invoices/{{ data.invoice_id }}", body = new { invoice = "{{ data.invoice_id }}", amount = "{{ data.amount_cents }}" } },
}));
// A schedule running throughout: it polls the sink's feed every 30 s (the shortest interval) and publishes each new item.
var schedule = await JsonAsync(await tenant.PostAsJsonAsync("/api/v1/schedules", new
{
    name = "reliability feed", interval_seconds = 30,
    job = new { kind = "http_poll", config = new { url = sink.Url("/items"), cursor_field = "seq", id_field = "id", cursor_param = "since" } },
}));
var source = await JsonAsync(await tenant.PostAsJsonAsync("/api/v1/inbound-sources", new { name = "reliability", verifier = new { kind = "standard_webhooks" } }));
using var inbound = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
// As a client would: give up after 10 s (an answer lost with a killed API is then not acknowledged).
using var publisher = new HttpClient { BaseAddress = platform.ApiAddress, Timeout = TimeSpan.FromSeconds(10), DefaultRequestHeaders = { Authorization = tenant.DefaultRequestHeaders.Authorization } };
var load = new LoadGenerator(publisher, inbound, new Uri(platform.ApiAddress, source.GetProperty("path").GetString()!),
    new StandardWebhooksSigner(source.GetProperty("secret").GetString()!), EventsPerSecond, InboundPerSecond);
Line($"Load: {EventsPerSecond} events/s through POST /api/v1/events and {InboundPerSecond} signed inbound webhooks/s, each delivered to one webhook endpoint; " +
     $"each event also sent by a connector route (http provider, http.request) to a provider path of the same sink; " +
     "an http_poll schedule every 30 s reading a feed of one new item a second; " +
     $"Workers pipelines each in a process of their own: {string.Join(", ", pipelines)}");

var phases = new List<(string Fault, PhaseLoad Load, long End)>();
async Task Phase(string fault, Func<Task> inject, bool counted = true)
{
    // Each fault starts from a platform that is up and has delivered what it acknowledged.
    await ReadyAsync(platform.ApiAddress);
    using var stop = new CancellationTokenSource();
    var sent = new PhaseLoad(phases.Count + 1);
    var running = load.RunAsync(sent, stop.Token);
    await Task.Delay(before);
    await inject();
    var end = Stopwatch.GetTimestamp();
    await Task.Delay(after);
    // The load goes on until the platform acknowledges again (a killed API must start first).
    var waiting = Stopwatch.StartNew();
    while (!sent.Acknowledged.Values.Any(at => at > end) && waiting.Elapsed < TimeSpan.FromSeconds(90)) await Task.Delay(100);
    await stop.CancelAsync();
    await running;
    var clock = Stopwatch.StartNew();
    while (clock.Elapsed < deliveredWithin && sent.Acknowledged.Keys.Any(m => sink.Deliveries(m).Count == 0)) await Task.Delay(250);
    // A call claimed by a killed connectors process is sent again only after its lease.
    while (clock.Elapsed < deliveredWithin + connectorLease && sent.Acknowledged.Keys.Any(m => LoadGenerator.IsRouted(m) && sink.Calls(m).Count == 0))
        await Task.Delay(250);
    if (!counted) return;
    phases.Add((fault, sent, end));
    Console.WriteLine($"   {PhaseResult.Of(fault, sent, sink, end)}   [{started.Elapsed:mm\\:ss}]");
    Console.WriteLine($"   calls: {PhaseResult.OfCalls(fault, sent, sink, end)}");
}

await Phase("warm-up", () => Task.CompletedTask, counted: false);
await Phase("kill -9 API (restarted after " + killedFor.TotalSeconds + " s)", async () =>
{
    await Platform.KillAsync(platform.Api);
    await Task.Delay(killedFor);
    platform.RestartApi();
});
foreach (var pipeline in pipelines)
{
    await Phase($"kill -9 Workers `{pipeline}` (restarted after {killedFor.TotalSeconds} s)", async () =>
    {
        await Platform.KillAsync(workers[pipeline]);
        await Task.Delay(killedFor);
        workers[pipeline] = platform.StartExtraWorkers(Settings(pipeline));
    });
}
await Phase($"broker down {brokerDown.TotalSeconds} s", async () =>
{
    await platform.BrokerDownAsync();
    await Task.Delay(brokerDown);
    await platform.BrokerUpAsync();
});
await Phase($"broker request errors ({requestErrors} Produce, {requestErrors} Fetch, {requestErrors / 6} OffsetCommit in a row)", async () =>
{
    // Retriable errors a real cluster answers during a leader election or a rebalance; each failed
    // request is retried after librdkafka's backoff, so the errors in a row hold publishing a while.
    await platform.Broker.PushRequestErrorsAsync(0, requestErrors, 6);        // Produce: NOT_LEADER_OR_FOLLOWER
    await platform.Broker.PushRequestErrorsAsync(1, requestErrors, 6);        // Fetch: NOT_LEADER_OR_FOLLOWER
    await platform.Broker.PushRequestErrorsAsync(8, requestErrors / 6, 27);   // OffsetCommit: REBALANCE_IN_PROGRESS
    await Task.Delay(killedFor);
});
await Phase($"PostgreSQL restarted (down {postgresDown.TotalSeconds} s)", async () =>
{
    await platform.RestartPostgresAsync(postgresDown);
    // The benchmark's own pooled connections died with the server.
    Npgsql.NpgsqlConnection.ClearAllPools();
});
await Phase($"receiver hanging {hang.TotalSeconds} s", async () =>
{
    sink.Hanging = true;
    await Task.Delay(hang);
    sink.Hanging = false;
});
await Phase($"provider hanging {providerHang.TotalSeconds} s", async () =>
{
    var abandoned = sink.CallsAbandoned;
    sink.ProviderHanging = true;
    await Task.Delay(providerHang);
    sink.ProviderHanging = false;
    // Proof the hang was felt: attempts the connector runtime gave up on (its timeout) and retried.
    await Task.Delay(TimeSpan.FromSeconds(1));
    Line($"   provider hanging: {sink.CallsAbandoned - abandoned} call attempts timed out at the provider path while it hung");
});

Line("");
Line("Scale-out:");
// Every role that shares work: the two Kafka consumer groups (partitions) and the two claimers (leases in PostgreSQL).
string[] scaled = ["events-dispatch", "inbound", "webhook-delivery", "connectors"];
var spare = scaled.ToDictionary(p => p, p => platform.StartExtraWorkers(Settings(p)));
await Task.Delay(TimeSpan.FromSeconds(quick ? 8 : 15));
await Phase("scale-out: kill -9 one of two `events-dispatch`, `inbound`, `webhook-delivery` and `connectors` each (not restarted)", async () =>
{
    foreach (var pipeline in scaled) await Platform.KillAsync(workers[pipeline]);
});
var failed = false;
foreach (var figure in await ApiScaleOut.RunAsync(platform, admin, quick))
{
    Line("   " + figure.Text);
    failed |= !figure.Holds;
}

// The schedule's last items: one run now, then everything any run was shown must have arrived once.
var shownBefore = sink.Feed.HighestServed;
await JsonAsync(await tenant.PostAsync($"/api/v1/schedules/{schedule.GetProperty("id").GetGuid()}/run", null));
var waited = Stopwatch.StartNew();
bool FeedDelivered() => Enumerable.Range(1, (int)sink.Feed.HighestServed).All(n => sink.Deliveries(ScheduleFeed.Marker(n)).Count > 0);
while (waited.Elapsed < TimeSpan.FromMinutes(2) && (sink.Feed.HighestServed == shownBefore || !FeedDelivered())) await Task.Delay(250);

// Late duplicates (a delivery resent after its lease ran out) arrive after their phase: count them all.
await platform.WaitForQuietAsync(TimeSpan.FromMinutes(2));
var callsWaited = Stopwatch.StartNew();
while (callsWaited.Elapsed < connectorLease + TimeSpan.FromMinutes(1)
       && phases.Any(p => p.Load.Acknowledged.Keys.Any(m => LoadGenerator.IsRouted(m) && sink.Calls(m).Count == 0)))
    await Task.Delay(250);
await Task.Delay(TimeSpan.FromSeconds(2));
Line("");
Line("Faults under load (delivered = received by the sink, answered 200; duplicates with the same webhook-id must equal duplicates):");
Line(PhaseResult.Header);
Line(PhaseResult.Rule);
foreach (var (fault, sent, end) in phases)
{
    var result = PhaseResult.Of(fault, sent, sink, end);
    Line(result.ToString());
    failed |= result.Lost > 0 || result.Duplicates != result.DuplicatesSameId;
}
Line("");
Line("Connector calls of the same phases (acknowledged = events the route matches; delivered = calls the provider answered 200; duplicates with the same Idempotency-Key must equal duplicates):");
Line(PhaseResult.CallsHeader);
Line(PhaseResult.Rule);
foreach (var (fault, sent, end) in phases)
{
    var result = PhaseResult.OfCalls(fault, sent, sink, end);
    Line(result.ToString());
    failed |= result.Lost > 0 || result.Duplicates != result.DuplicatesSameId;
}
var items = Enumerable.Range(1, (int)sink.Feed.HighestServed).Select(n => sink.Deliveries(ScheduleFeed.Marker(n))).ToList();
var itemDuplicates = items.Sum(d => Math.Max(0, d.Count - 1));
var itemSameId = items.Sum(d => d.Count - d.Select(x => x.WebhookId).Distinct().Count());
var itemsLost = items.Count(d => d.Count == 0);
Line($"Schedule over the whole run (its process killed once, PostgreSQL restarted, the broker down …): {items.Count} feed items shown to its runs, " +
     $"{items.Count - itemsLost} delivered as sync.item_received, lost {itemsLost}, duplicates {itemDuplicates} (same webhook-id {itemSameId})");
failed |= itemsLost > 0 || itemDuplicates != itemSameId;
Line($"Total {started.Elapsed.TotalMinutes:F1} minutes; load average now {File.ReadAllText("/proc/loadavg").Split(' ')[0]}. " +
     (failed ? "FAILED: something acknowledged was lost or a promise did not hold." : "Nothing acknowledged was lost."));
Directory.CreateDirectory(Path.Combine(root, ".build"));
await File.WriteAllTextAsync(Path.Combine(root, ".build/bench-reliability.txt"), report.ToString());
return failed ? 1 : 0;

static async Task ReadyAsync(Uri api)
{
    using var http = new HttpClient { BaseAddress = api, Timeout = TimeSpan.FromSeconds(5) };
    var clock = Stopwatch.StartNew();
    while (clock.Elapsed < TimeSpan.FromSeconds(90))
    {
        try
        {
            if ((await http.GetAsync("/health/ready")).IsSuccessStatusCode) return;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
        }
        await Task.Delay(200);
    }
    throw new TimeoutException($"The API at {api} was not ready within 90 s.");
}
