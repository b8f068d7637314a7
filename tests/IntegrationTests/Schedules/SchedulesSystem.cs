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

    /// <summary>A Workers process running only the schedules pipeline, ready once it has a database connection.</summary>
    public Task<WorkerProcess> StartRunnerAsync(IDictionary<string, string?>? settings = null, ConcurrentQueue<string>? output = null)
    {
        var all = new Dictionary<string, string?> { [WorkerPipelines.ConfigurationKey] = WorkerPipelines.Schedules };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) all[key] = value;
        return WorkerProcess.StartAsync(this, all, output: output);
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
        await Eventually.HoldsAsync(async () => done(runs = await RunsAsync(client, scheduleId)), Soon, because);
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
