using System.Diagnostics;
using Integrations.Application.Common.Listing;
using Integrations.Application.Events.Queries.ListEvents;
using Integrations.Bench;
using Integrations.Infrastructure.Persistence;
using Integrations.Infrastructure.Persistence.ReadModels;
using Npgsql;

// Keyset vs OFFSET pagination on GET /api/v1/events' read model, 1M events of one tenant in a fresh
// PostgreSQL: page 1, a page 500k rows deep through a cursor, and the same depth with OFFSET.
//   dotnet run -c Release --project bench/Pagination [-- rows depth iterations]
var rows = args.Length > 0 ? int.Parse(args[0]) : 1_000_000;
var depth = args.Length > 1 ? int.Parse(args[1]) : 500_000;
var iterations = args.Length > 2 ? int.Parse(args[2]) : 200;
const int limit = 20;

var (server, dataSource) = await Measure.FreshDatabaseAsync();
await using var _ = server;
await using var __ = dataSource;
var tenant = Guid.CreateVersion7();

var seeding = Stopwatch.StartNew();
await using (var seed = dataSource.CreateCommand("""
    insert into events (id, tenant_id, event_type, data, "timestamp", status, dispatched_at, sequence)
    select gen_random_uuid(), case when i % 10 = 0 then gen_random_uuid() else @tenant end,
           (array['invoice.paid', 'user.joined', 'entity.created'])[1 + i % 3], '{"n": 1}'::jsonb,
           -- Two events per second: equal timestamps exercise the id tie-breaker.
           timestamptz '2026-01-01 00:00:00+00' + (i / 2) * interval '1 second', 'dispatched', null, i
    from generate_series(1, @total) as i
    """))
{
    seed.CommandTimeout = 600;
    seed.Parameters.AddWithValue("tenant", tenant);
    // One row in ten belongs to other tenants: the tenant's own rows number `rows`.
    seed.Parameters.AddWithValue("total", rows + rows / 9);
    await seed.ExecuteNonQueryAsync();
}
await using (var analyze = dataSource.CreateCommand("vacuum analyze events")) await analyze.ExecuteNonQueryAsync();
Console.WriteLine($"seeded {rows + rows / 9:N0} events ({rows:N0} of the measured tenant) in {seeding.Elapsed.TotalSeconds:F1} s");

var session = new DbSession(dataSource, new PostgresNotifier(dataSource, Microsoft.Extensions.Logging.Abstractions.NullLogger<PostgresNotifier>.Instance));
var readModel = new EventReadModel(session);
var spec = ListEventsQuery.Spec;
var firstPage = ListQueryParser.Parse(spec, new ListParameters(limit.ToString()));

// The cursor a client holds after paging `depth` rows: the position of the row at that depth.
ListQuery deepPage;
await using (var find = dataSource.CreateCommand("""select "timestamp", id from events where tenant_id = @t order by "timestamp" desc, id desc offset @depth limit 1"""))
{
    find.Parameters.AddWithValue("t", tenant);
    find.Parameters.AddWithValue("depth", depth - 1);
    await using var reader = await find.ExecuteReaderAsync();
    await reader.ReadAsync();
    var cursor = new ListCursor(PageDirection.After, [reader.GetFieldValue<DateTimeOffset>(0)], reader.GetGuid(1), firstPage.Binding).Encode();
    deepPage = ListQueryParser.Parse(spec, new ListParameters(limit.ToString(), cursor));
}

var page1 = await Measure.RunAsync(iterations, () => readModel.ListAsync(tenant, firstPage, CancellationToken.None));
var keyset = await Measure.RunAsync(iterations, () => readModel.ListAsync(tenant, deepPage, CancellationToken.None));
var offset = await Measure.RunAsync(Math.Max(20, iterations / 10), async () =>
{
    await using var command = dataSource.CreateCommand("""
        select id, tenant_id, event_type, data, "timestamp", status, dispatched_at, sequence from events
        where tenant_id = @t order by "timestamp" desc, id desc offset @depth limit @fetch
        """);
    command.Parameters.AddWithValue("t", tenant);
    command.Parameters.AddWithValue("depth", depth);
    command.Parameters.AddWithValue("fetch", limit + 1);
    await using var reader = await command.ExecuteReaderAsync();
    while (await reader.ReadAsync()) { }
}, warmup: 3);

// The same rows, so the comparison is fair.
var keysetRows = (await readModel.ListAsync(tenant, deepPage, CancellationToken.None)).Data.Select(e => e.Id).ToList();
await using (var check = dataSource.CreateCommand("""select id from events where tenant_id = @t order by "timestamp" desc, id desc offset @depth limit @limit"""))
{
    check.Parameters.AddWithValue("t", tenant);
    check.Parameters.AddWithValue("depth", depth);
    check.Parameters.AddWithValue("limit", limit);
    var offsetRows = new List<Guid>();
    await using var reader = await check.ExecuteReaderAsync();
    while (await reader.ReadAsync()) offsetRows.Add(reader.GetGuid(0));
    if (!offsetRows.SequenceEqual(keysetRows)) throw new InvalidOperationException("keyset and OFFSET pages differ");
}

Console.WriteLine($"""

    GET /api/v1/events read model, limit {limit}, {iterations} runs each (OFFSET: {Math.Max(20, iterations / 10)})
      page 1 (no cursor)             {page1}
      depth {depth:N0}, keyset cursor  {keyset}
      depth {depth:N0}, OFFSET         {offset}
      OFFSET / keyset at depth (p50)  {offset.P50 / keyset.P50:F0}x
      keyset at depth / page 1 (p50) {keyset.P50 / page1.P50:F2}x

    Plan of the keyset query at depth:
    """);
await using (var connection = await dataSource.OpenConnectionAsync())
await using (var explain = KeysetQuery(connection))
{
    await using var reader = await explain.ExecuteReaderAsync();
    while (await reader.ReadAsync()) Console.WriteLine("  " + reader.GetString(0));
}

NpgsqlCommand KeysetQuery(NpgsqlConnection connection)
{
    var command = Integrations.Infrastructure.Persistence.Listing.KeysetQuery.Build(connection, null, EventReadModel.Table, "id", [("tenant_id", tenant)], deepPage);
    command.CommandText = "explain (analyze, costs off, timing off) " + command.CommandText;
    return command;
}
