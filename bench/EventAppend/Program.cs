using System.Diagnostics;
using Integrations.Application.Common.Interfaces;
using Integrations.Bench;
using Integrations.Bench.EventAppend.Baseline;
using Integrations.Domain.Events;
using Integrations.Infrastructure;
using Integrations.Infrastructure.Persistence;
using Integrations.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

// Appending events: our event store on Marten (IEventStore in a unit of work, with its inline
// events read model) against the event log it replaced (es_events, PostgresBatchEventStore's
// statements, copied under Baseline/), on the same PostgreSQL in the same run. Three phases per
// side with the same concurrent writers: one new stream per transaction (single ingestion),
// 100 new streams per transaction (batch ingestion), and one event onto an existing stream at its
// expected version (an aggregate's update). Prints events/s, transaction latency, PostgreSQL CPU
// per event, and the ratios Marten / baseline.
//   bench/run.sh EventAppend [seconds-per-phase concurrency]     (defaults: 10 s, 8 writers; about 2 minutes)
var seconds = args.Length > 0 ? int.Parse(args[0]) : 10;
var concurrency = args.Length > 1 ? int.Parse(args[1]) : 8;
var warmup = TimeSpan.FromSeconds(5);
var tenant = Guid.CreateVersion7();

Console.WriteLine("starting PostgreSQL ...");
await using var postgres = await PostgresServer.StartAsync();
var beforeDb = PersistenceServiceCollectionExtensions.WithPerformanceDefaults(await postgres.CreateDatabaseAsync("before_marten"));
await using (var before = NpgsqlDataSource.Create(beforeDb))
{
    // The schema of the release before Marten: every migration up to 0021.
    await using var connection = await before.OpenConnectionAsync();
    foreach (var (id, sql) in DatabaseMigrator.Migrations().Where(m => string.CompareOrdinal(m.Id, "0022") < 0))
        await new NpgsqlCommand(sql, connection).ExecuteNonQueryAsync();
}
var afterDb = await postgres.CreateDatabaseAsync("marten");
var services = new ServiceCollection()
    .AddLogging(b => b.SetMinimumLevel(LogLevel.Warning).AddConsole())
    .AddInfrastructure(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["ConnectionStrings:Postgres"] = afterDb, ["Secrets:AllowEphemeralKey"] = "true", ["Kafka:BootstrapServers"] = "127.0.0.1:9",
    }).Build());
await using var provider = services.BuildServiceProvider();
await provider.GetRequiredService<DatabaseMigrator>().MigrateAsync(CancellationToken.None);

await using var baselineSource = NpgsqlDataSource.Create(beforeDb);
var baseline = new EsEventsAppend(baselineSource);

async Task MartenAsync(IReadOnlyList<(string StreamId, long ExpectedVersion, object Event, Guid TenantId)> appends)
{
    await using var scope = provider.CreateAsyncScope();
    var store = scope.ServiceProvider.GetRequiredService<IEventStore>();
    await scope.ServiceProvider.GetRequiredService<IUnitOfWork>().ExecuteAsync(async ct =>
        await store.AppendAsync(appends.Select(a => new StreamAppend(a.StreamId, a.ExpectedVersion, [a.Event], a.TenantId)).ToList(), ct), CancellationToken.None);
}

var sides = new (string Name, Func<IReadOnlyList<(string, long, object, Guid)>, Task> Append)[]
{
    ("es_events (before)", a => baseline.AppendAsync(a, CancellationToken.None)),
    ("Marten (now)", MartenAsync),
};

// Streams each side created, for the phase that extends them: per writer, so writers never race for one.
var created = sides.ToDictionary(s => s.Name, _ => Enumerable.Range(0, concurrency).Select(_ => new Queue<Guid>()).ToArray());

(string, long, object, Guid) Accept(Guid id) =>
    (IngestedEventDecider.StreamId(id), 0, new EventAccepted(id, tenant, "invoice.paid",
        $$"""{"invoice_id":"in_{{id:N}}","amount_cents":4200,"currency":"EUR"}""", DateTimeOffset.UtcNow), tenant);

async Task<(long Events, List<double> Latencies, TimeSpan Elapsed)> RunAsync(string side, Func<IReadOnlyList<(string, long, object, Guid)>, Task> append,
    string phase, TimeSpan duration)
{
    var latencies = new List<double>();
    long events = 0;
    var clock = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async writer =>
    {
        var own = new List<double>();
        var mine = created[side][writer];
        while (clock.Elapsed < duration)
        {
            List<(string, long, object, Guid)> batch;
            if (phase == "extend")
            {
                if (!mine.TryDequeue(out var id)) break;
                batch = [(IngestedEventDecider.StreamId(id), 1, new EventDispatched(id, tenant, DateTimeOffset.UtcNow), tenant)];
            }
            else
            {
                var ids = Enumerable.Range(0, phase == "batch" ? 100 : 1).Select(_ => Guid.CreateVersion7()).ToList();
                batch = ids.Select(Accept).ToList();
                if (phase == "single") foreach (var id in ids) mine.Enqueue(id);
            }
            var start = Stopwatch.GetTimestamp();
            await append(batch);
            own.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            Interlocked.Add(ref events, batch.Count);
        }
        lock (latencies) latencies.AddRange(own);
    }));
    return (events, latencies, clock.Elapsed);
}

double PostgresCpu() => ProcFs.PostgresPids(postgres.DataDirectory) is var pids and [var postmaster, ..]
    ? pids.Sum(pid => ProcFs.CpuSeconds(pid, withChildren: pid == postmaster)) : 0;

var phases = new[] { ("one stream per transaction", "single"), ("100 streams per transaction", "batch"), ("extend a stream (version check)", "extend") };
Console.WriteLine($"warming up both sides ({warmup.TotalSeconds:F0} s a phase) ...");
foreach (var (name, append) in sides)
foreach (var (_, phase) in phases)
    await RunAsync(name, append, phase, warmup);

var results = new Dictionary<(string Side, string Phase), (double EventsPerSecond, Measure.Latency Latency, double PgCpuMs)>();
// Alternating sides phase by phase, so a drift of the machine (other load, autovacuum) touches both.
foreach (var (label, phase) in phases)
foreach (var (name, append) in sides)
{
    var cpu = PostgresCpu();
    var process = Process.GetCurrentProcess().TotalProcessorTime;
    var (events, latencies, elapsed) = await RunAsync(name, append, phase, TimeSpan.FromSeconds(seconds));
    if (events == 0) throw new InvalidOperationException($"{name}: no events in phase {label} (too few streams from the single phase to extend).");
    var pg = (PostgresCpu() - cpu) * 1000 / events;
    var client = (Process.GetCurrentProcess().TotalProcessorTime - process).TotalMilliseconds / events;
    var latency = Measure.Summarise(latencies);
    results[(name, phase)] = (events / elapsed.TotalSeconds, latency, pg);
    Console.WriteLine($"{label,-32} {name,-19} {events / elapsed.TotalSeconds,9:N0} events/s  transaction {latency}  CPU/event: PostgreSQL {pg,6:F3} ms  .NET {client,6:F3} ms");
}

Console.WriteLine();
Console.WriteLine($"{concurrency} concurrent writers, {seconds} s per phase; ratios Marten / es_events:");
foreach (var (label, phase) in phases)
{
    var before = results[(sides[0].Name, phase)];
    var now = results[(sides[1].Name, phase)];
    Console.WriteLine($"  {label,-32} events/s x{now.EventsPerSecond / before.EventsPerSecond,5:F2}   p99 x{now.Latency.P99 / before.Latency.P99,5:F2}   " +
                      $"PostgreSQL CPU/event x{now.PgCpuMs / before.PgCpuMs,5:F2}");
}
return 0;
