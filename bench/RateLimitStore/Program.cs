using System.Diagnostics;
using Integrations.Bench;
using Integrations.Infrastructure.RateLimiting;

// The cost of the per-request rate-limit counter (ADR 0007): one atomic upsert in PostgreSQL,
// compared with a trivial round trip, sequentially and under concurrency.
//   dotnet run -c Release --project bench/RateLimitStore [-- iterations]
var iterations = args.Length > 0 ? int.Parse(args[0]) : 5_000;
var window = TimeSpan.FromMinutes(1);

var (server, dataSource) = await Measure.FreshDatabaseAsync();
await using var _ = server;
await using var __ = dataSource;
var store = new PostgresRateLimitCounterStore(dataSource);

var roundTrip = await Measure.RunAsync(iterations, async () =>
{
    await using var command = dataSource.CreateCommand("select 1");
    await command.ExecuteScalarAsync();
});
var sequential = await Measure.RunAsync(iterations, () => store.IncrementAsync("tenant:bench", window, CancellationToken.None));

async Task<(Measure.Latency Latency, double PerSecond)> ConcurrentAsync(int workers, Func<int, string> key)
{
    var samples = new System.Collections.Concurrent.ConcurrentBag<double>();
    var started = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, workers).Select(async worker =>
    {
        for (var i = 0; i < iterations / workers; i++)
        {
            var start = Stopwatch.GetTimestamp();
            await store.IncrementAsync(key(worker), window, CancellationToken.None);
            samples.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
    }));
    return (Measure.Summarise(samples), samples.Count / started.Elapsed.TotalSeconds);
}

var distinct = await ConcurrentAsync(8, worker => $"tenant:{worker}");
var shared = await ConcurrentAsync(8, _ => "tenant:hot");

Console.WriteLine($"""
    Rate-limit counter store (PostgreSQL, unlogged table), {iterations:N0} calls per scenario
      select 1 (round-trip baseline)      {roundTrip}
      increment, sequential               {sequential}
      increment, 8 workers, 8 tenants     {distinct.Latency}   {distinct.PerSecond,8:N0}/s
      increment, 8 workers, one tenant    {shared.Latency}   {shared.PerSecond,8:N0}/s
      added per request (p50 over select 1) {sequential.P50 - roundTrip.P50:F3} ms
    """);
