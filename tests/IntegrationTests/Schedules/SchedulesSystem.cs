using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Integrations.IntegrationTests.Api;
using Integrations.IntegrationTests.Connectors;
using Integrations.IntegrationTests.Infrastructure;
using Integrations.Workers;

namespace Integrations.IntegrationTests.Schedules;

/// <summary>
/// The API, PostgreSQL, the broker and the provider fake, with the schedules' settings short enough
/// for tests (a poll every 0.2 s, heartbeats every 0.5 s, a lost run after 3 s, no jitter); no Workers
/// host: each test starts Workers processes (real ones, which it may kill) running the schedules pipeline.
/// </summary>
public sealed class SchedulesSystem : ConnectorsSystem
{
    public static readonly TimeSpan Soon = TimeSpan.FromSeconds(40);

    public static readonly IReadOnlyDictionary<string, string?> ScheduleSettings = new Dictionary<string, string?>
    {
        ["Schedules:PollInterval"] = "00:00:00.200",
        ["Schedules:HeartbeatInterval"] = "00:00:00.500",
        ["Schedules:LeaseDuration"] = "00:00:03",
        ["Schedules:JitterWindow"] = "00:00:00",
    };

    protected override bool StartWorkers => false;

    protected override IDictionary<string, string?> ExtraConfiguration
    {
        get
        {
            var settings = base.ExtraConfiguration;
            foreach (var (key, value) in ScheduleSettings) settings[key] = value;
            return settings;
        }
    }

    /// <summary>
    /// Pauses every schedule earlier tests left (their connections reach the same fake account), so
    /// that only the test's own schedules run while it watches the fake.
    /// </summary>
    public Task PauseLeftoversAsync() => ScalarAsync<long>("with paused as (update schedules set status = 'paused', requested_run = null returning 1) select count(*) from paused");

    /// <summary>A runner test's start: the fake reset, earlier schedules paused, a tenant with a connection to <paramref name="provider"/> and the record r1 (seq 1).</summary>
    public async Task<(TenantWithKey Tenant, Guid Connection, string Key)> FreshStartAsync(string provider = "http")
    {
        await ResetFakeAsync();
        await PauseLeftoversAsync();
        var tenant = await TenantAsync();
        var (connection, key) = await ConnectApiKeyAsync(tenant.Client, provider);
        await PutRecordAsync(key, "r1", 1);
        return (tenant, connection, key);
    }

    /// <summary><paramref name="count"/> schedules polling the records through one connection.</summary>
    public static async Task<List<Guid>> PollRecordsManyAsync(HttpClient client, Guid connectionId, int count)
    {
        var schedules = new List<Guid>();
        for (var i = 0; i < count; i++) schedules.Add(await PollRecordsAsync(client, connectionId));
        return schedules;
    }

    /// <summary>How many runs of these schedules match <paramref name="condition"/> (SQL over schedule_runs).</summary>
    public Task<long> CountRunsAsync(IReadOnlyCollection<Guid> schedules, string condition = "true") =>
        ScalarAsync<long>($"select count(*) from schedule_runs where schedule_id = any(@ids) and {condition}", ("ids", schedules.ToArray()));

    /// <summary>Pairs of runs sharing <paramref name="column"/> (schedule_id, connection_id) whose times overlap.</summary>
    public Task<long> OverlappingRunsAsync(IReadOnlyCollection<Guid> schedules, string column) => ScalarAsync<long>($"""
        select count(*) from schedule_runs a join schedule_runs b on a.{column} = b.{column} and a.id < b.id
        where a.schedule_id = any(@ids) and tstzrange(a.started_at, a.finished_at) && tstzrange(b.started_at, b.finished_at)
        """, ("ids", schedules.ToArray()));

    /// <summary>A Workers process running only the schedules pipeline, ready once it has a database connection.</summary>
    public Task<WorkerProcess> StartRunnerAsync(IDictionary<string, string?>? settings = null, ConcurrentQueue<string>? output = null)
    {
        var all = new Dictionary<string, string?> { [WorkerPipelines.ConfigurationKey] = WorkerPipelines.Schedules };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) all[key] = value;
        return WorkerProcess.StartAsync(this, all, output: output);
    }

    /// <summary>A record in the fake (account acme), as the provider's own app would write it; its seq is the cursor http_poll follows.</summary>
    public async Task PutRecordAsync(string key, string id, int seq)
    {
        using var client = new HttpClient { BaseAddress = Fake.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new("Bearer", key);
        (await client.PutAsJsonAsync($"/api/records/{id}", new { seq, name = $"record {id}" })).EnsureSuccessStatusCode();
    }

    /// <summary>A schedule of the tenant polling the fake's records through <paramref name="connectionId"/> every 30 s; returns its id.</summary>
    public static async Task<Guid> PollRecordsAsync(HttpClient client, Guid connectionId, object? extra = null)
    {
        var body = new Dictionary<string, object?>
        {
            ["interval_seconds"] = 30, ["connection_id"] = connectionId,
            ["job"] = new { kind = "http_poll", config = new { path = "/records", cursor_field = "seq" } },
        };
        foreach (var property in JsonSerializer.SerializeToElement(extra ?? new { }).EnumerateObject()) body[property.Name] = property.Value;
        return (await CreateAsync(client, body)).GetProperty("id").GetGuid();
    }

    public static async Task RunNowAsync(HttpClient client, Guid scheduleId) =>
        await (await client.PostAsync($"/api/v1/schedules/{scheduleId}/run", null)).ShouldBeJsonAsync(HttpStatusCode.Accepted);

    /// <summary>The item ids of the tenant's sync.item_received events of that schedule, oldest first.</summary>
    public static async Task<List<string>> EmittedAsync(HttpClient client, Guid scheduleId)
    {
        var page = await (await client.GetAsync("/api/v1/events?event_type=sync.item_received&limit=100&sort=timestamp:asc")).ShouldBeJsonAsync(HttpStatusCode.OK);
        return page.GetProperty("data").EnumerateArray().Select(e => e.GetProperty("data"))
            .Where(d => d.GetProperty("schedule_id").GetGuid() == scheduleId).Select(d => d.GetProperty("item_id").GetString()!).ToList();
    }

    public static async Task<JsonElement> CreateAsync(HttpClient client, object body) =>
        await (await client.PostAsJsonAsync("/api/v1/schedules", body)).ShouldBeJsonAsync(HttpStatusCode.Created);

    public static async Task<List<JsonElement>> RunsAsync(HttpClient client, Guid scheduleId, string query = "")
    {
        var page = await (await client.GetAsync($"/api/v1/schedules/{scheduleId}/runs?limit=100{query}")).ShouldBeJsonAsync(HttpStatusCode.OK);
        return page.GetProperty("data").EnumerateArray().ToList();
    }

    /// <summary>Polls the schedule's runs until <paramref name="done"/> holds for them (newest first); returns them.</summary>
    public static async Task<List<JsonElement>> WaitForRunsAsync(HttpClient client, Guid scheduleId, Func<List<JsonElement>, bool> done, string because)
    {
        List<JsonElement> runs = [];
        try
        {
            await Eventually.HoldsAsync(async () => done(runs = await RunsAsync(client, scheduleId)), Soon, because);
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{ex.Message}; the runs, newest first: {string.Join(", ", runs.Select(r => r.GetRawText()))}", ex);
        }
        return runs;
    }
}

public static class ScheduleRunJson
{
    public static string Outcome(this JsonElement run) => run.GetProperty("outcome").GetString()!;
}

/// <summary>A <see cref="SchedulesSystem"/> the schedule tests share; they run one at a time (they start and kill Workers processes).</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SchedulesCollection : ICollectionFixture<SchedulesSystem>
{
    public const string Name = "Schedules";
}
