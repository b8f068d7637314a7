using System.Diagnostics;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Integrations.Bench;
using Integrations.IntegrationTests.Infrastructure;

namespace Integrations.Bench.Webhooks;

/// <summary>
/// The system under test as a user runs it: PostgreSQL and the development broker (the same
/// throwaway processes the integration tests use), the API and the Workers host as processes of
/// their own, from the Release build.
/// </summary>
public sealed class Platform : IAsyncDisposable
{
    private readonly List<Process> _hosts = [];
    private Dictionary<string, string> _common = [];
    private IReadOnlyDictionary<string, string> _workerSettings = new Dictionary<string, string>();
    private string _root = "";
    private double _stoppedWorkersCpu;
    private PostgresServer _postgres = null!;
    private KafkaDevBroker _broker = null!;

    public string AdminKey { get; } = "adm_bench_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    public Uri ApiAddress { get; private set; } = null!;

    public Process Api => _hosts[0];

    public Process Workers => _hosts[1];

    private string WorkersAssembly => Path.Combine(_root, "src/Workers/bin/Release/net10.0/linux-x64/Integrations.Workers.dll");

    private string ApiAssembly => Path.Combine(_root, "src/Api/bin/Release/net10.0/linux-x64/Integrations.Api.dll");

    /// <summary>The broker, for the faults the reliability benchmark injects (request errors).</summary>
    public KafkaDevBroker Broker => _broker;

    public string ConnectionString { get; private set; } = "";

    public int BrokerPid { get; private set; }

    public static async Task<Platform> StartAsync(string root, IReadOnlyDictionary<string, string> workerSettings)
    {
        var platform = new Platform { _root = root, _workerSettings = workerSettings };
        // pg_stat_statements: the benchmark prints where PostgreSQL's time goes (Statements). WAL is
        // set up as docs/webhooks.md#performance recommends for this workload: WAL buffers for the
        // walwriter's interval at tens of MB/s of WAL, and no zero-filling of new WAL files. A new
        // cluster creates and zero-fills every 16 MB segment it writes, which a server in service
        // does not (it recycles segments after each checkpoint): perf put that at 8 % of
        // PostgreSQL's CPU in the fan-out 10 phase.
        platform._postgres = await PostgresServer.StartAsync([
            "shared_preload_libraries=pg_stat_statements", "pg_stat_statements.max=1000", "pg_stat_statements.track_planning=on",
            "wal_buffers=64MB", "wal_init_zero=off"]);
        var connectionString = platform.ConnectionString = await platform._postgres.CreateDatabaseAsync("bench");
        await using (var connection = new Npgsql.NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            await using var extension = new Npgsql.NpgsqlCommand(Statements.Marker + " create extension if not exists pg_stat_statements", connection);
            await extension.ExecuteNonQueryAsync();
        }
        platform._broker = await KafkaDevBroker.StartAsync("integrations.events.v1:12", "integrations.webhook-deliveries.v1:12", "integrations.product-commands.v1:12", "integrations.inbound.v1:12");
        platform.BrokerPid = ProcFs.ChildPid("kafka-dev-broker");

        var common = new Dictionary<string, string>
        {
            ["ConnectionStrings__Postgres"] = connectionString + ";Maximum Pool Size=100",
            ["Kafka__BootstrapServers"] = platform._broker.BootstrapServers,
            ["Auth__AdminKey"] = platform.AdminKey,
            ["Secrets__EncryptionKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ["Webhooks__AllowPrivateNetworkTargets"] = "true",
            // As in production: warnings and errors only (the API's appsettings log every request at Information).
            ["Logging__LogLevel__Default"] = "Warning",
            ["Logging__LogLevel__Microsoft.AspNetCore"] = "Warning",
            ["Logging__LogLevel__Microsoft.AspNetCore.Hosting.Diagnostics"] = "Warning",
            // The API's per-tenant quota would cap the publishers; it is not what this measures.
            ["RateLimits__Enabled"] = "false",
            // The dev broker answers an empty fetch only after the full wait, where a real broker answers
            // as soon as data arrives: a short wait makes the dev broker behave like the real one here.
            ["Kafka__Settings__fetch.wait.max.ms"] = "5",
            ["DOTNET_ENVIRONMENT"] = "Production",
        };
        platform._common = common;
        var port = ProcFs.FreePort();
        platform.ApiAddress = new Uri($"http://127.0.0.1:{port}");
        platform._hosts.Add(Start(platform.ApiAssembly, common, new Dictionary<string, string> { ["ASPNETCORE_URLS"] = platform.ApiAddress.ToString() }));
        platform._hosts.Add(Start(platform.WorkersAssembly, common, workerSettings));

        using var http = new HttpClient { BaseAddress = platform.ApiAddress };
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (platform._hosts.Any(h => h.HasExited)) throw new InvalidOperationException("A host exited during start-up.");
            try
            {
                if ((await http.GetAsync("/health/ready")).IsSuccessStatusCode) break;
            }
            catch (HttpRequestException)
            {
            }
            if (deadline.Elapsed > TimeSpan.FromSeconds(60)) throw new TimeoutException("The API did not become ready within 60 s.");
            await Task.Delay(200);
        }
        return platform;
    }

    public HttpClient Client(string? bearer = null)
    {
        var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 512 }) { BaseAddress = ApiAddress, Timeout = TimeSpan.FromSeconds(60) };
        if (bearer is not null) client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", bearer);
        return client;
    }

    /// <summary>A tenant and its API key, through the admin API.</summary>
    public async Task<HttpClient> CreateTenantAsync(HttpClient admin)
    {
        var tenant = await Json(await admin.PostAsJsonAsync("/api/v1/tenants", new { name = "bench-" + Guid.NewGuid().ToString("N")[..6], plan = "enterprise" }));
        var key = await Json(await admin.PostAsync($"/api/v1/tenants/{tenant.GetProperty("id").GetGuid()}/api-keys", null));
        return Client(key.GetProperty("key").GetString());
    }

    public static async Task<Guid> CreateEndpointAsync(HttpClient tenant, string url) =>
        (await Json(await tenant.PostAsJsonAsync("/api/v1/webhook-endpoints", new { url, event_types = new[] { "*" }, rate_limit_per_minute = 60_000 })))
        .GetProperty("id").GetGuid();

    /// <summary>
    /// Waits (at most <paramref name="limit"/>) until the platform has caught up: every outbox row
    /// published and, where a platform consumer must confirm it, confirmed, and no delivery due.
    /// A phase that starts while the previous one is still being worked off measures both.
    /// </summary>
    public async Task<TimeSpan> WaitForQuietAsync(TimeSpan limit)
    {
        await using var connection = new Npgsql.NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(Statements.Marker + """
             select (select count(*) from outbox where published_at is null or (awaits_consumer and completed_at is null))
                 + (select count(*) from webhook_delivery_queue where not paused and next_attempt_at <= now())
            """, connection);
        var waited = Stopwatch.StartNew();
        while ((long)(await command.ExecuteScalarAsync())! > 0 && waited.Elapsed < limit) await Task.Delay(250);
        return waited.Elapsed;
    }

    /// <summary>Stops the Workers host gracefully (SIGTERM), as a deployment would.</summary>
    public async Task StopWorkersAsync()
    {
        var used = ProcFs.CpuSeconds(Workers.Id, withChildren: false);
        ProcessRunner.Signal(Workers.Id);
        await Workers.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(40));
        // Its last moments of shutdown are lost; they are not delivery work.
        _stoppedWorkersCpu += used;
    }

    public void StartWorkers() => _hosts[1] = Start(WorkersAssembly, _common, _workerSettings);

    /// <summary>
    /// One more Workers host (the reliability benchmark runs pipelines as processes of their own,
    /// <c>Workers__Pipelines</c>), stopped with the platform.
    /// </summary>
    public Process StartExtraWorkers(IReadOnlyDictionary<string, string> settings) => Track(Start(WorkersAssembly, _common, settings));

    /// <summary>One more API instance at <paramref name="address"/> on the same database and broker, stopped with the platform.</summary>
    public Process StartExtraApi(Uri address, IReadOnlyDictionary<string, string>? settings = null) =>
        Track(Start(ApiAssembly, _common, new Dictionary<string, string>(settings ?? new Dictionary<string, string>()) { ["ASPNETCORE_URLS"] = address.ToString() }));

    /// <summary>Starts the API again at its address (after <see cref="Kill"/>).</summary>
    public void RestartApi() => _hosts[0] = Start(ApiAssembly, _common, new Dictionary<string, string> { ["ASPNETCORE_URLS"] = ApiAddress.ToString() });

    /// <summary>kill -9: the process gets no chance to finish anything.</summary>
    public static async Task KillAsync(Process host)
    {
        host.Kill();
        await host.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));
    }

    /// <summary>PostgreSQL stopped as an operator's restart does, down for <paramref name="downFor"/>, started again on the same data directory and port.</summary>
    public Task RestartPostgresAsync(TimeSpan downFor) => _postgres.RestartAsync(downFor);

    private Process Track(Process host)
    {
        _hosts.Add(host);
        return host;
    }

    /// <summary>The dev broker refuses every connection until <see cref="BrokerUpAsync"/> (a broker outage).</summary>
    public Task BrokerDownAsync() => _broker.SetDownAsync();

    public Task BrokerUpAsync() => _broker.SetUpAsync();

    /// <summary>The processes of the platform by role; PostgreSQL is its postmaster and all its children.</summary>
    public IReadOnlyList<(string Role, IReadOnlyList<int> Pids)> Processes()
    {
        var postgres = ProcFs.PostgresPids(_postgres.DataDirectory);
        return
        [
            ("API", [Api.Id]),
            ("Workers", [Workers.Id]),
            ("PostgreSQL", postgres),
            ("Kafka dev broker", BrokerPid > 0 ? [BrokerPid] : []),
            ("bench (sink + publishers)", [Environment.ProcessId]),
        ];
    }

    /// <summary>
    /// Memory by role, in MiB: the proportional set size, so PostgreSQL's shared buffers count once
    /// across its processes rather than once per backend (for the others it equals the resident size).
    /// </summary>
    public IReadOnlyList<(string Role, double MiB)> Memory() => Processes().Select(p => (p.Role, p.Pids.Sum(ProcFs.PssMiB))).ToList();

    /// <summary>
    /// CPU time used so far by role (user + system), in seconds. It survives process exits: Workers
    /// hosts stopped by the benchmark are added, and PostgreSQL's postmaster accounts for the
    /// backends that have exited (children's time).
    /// </summary>
    public IReadOnlyDictionary<string, double> CpuSeconds()
    {
        var cpu = Processes().ToDictionary(p => p.Role, p => p.Pids.Sum(pid => ProcFs.CpuSeconds(pid, withChildren: p.Role == "PostgreSQL" && pid == p.Pids[0])));
        cpu["Workers"] += _stoppedWorkersCpu;
        return cpu;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var host in _hosts.Where(h => !h.HasExited))
        {
            ProcessRunner.Signal(host.Id);
            await host.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(40)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (!host.HasExited) host.Kill(entireProcessTree: true);
        }
        await _broker.DisposeAsync();
        await _postgres.DisposeAsync();
    }

    private static Process Start(string assembly, IReadOnlyDictionary<string, string> common, IReadOnlyDictionary<string, string> own)
    {
        if (!File.Exists(assembly)) throw new FileNotFoundException($"{assembly} is missing: build the solution in Release first (bench/run.sh does).");
        var start = new ProcessStartInfo("dotnet", [assembly])
        {
            WorkingDirectory = Path.GetDirectoryName(assembly)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (key, value) in common.Concat(own)) start.Environment[key] = value;
        var process = Process.Start(start)!;
        var echo = Echo(Path.GetFileNameWithoutExtension(assembly));
        process.OutputDataReceived += (_, e) => echo(e.Data);
        process.ErrorDataReceived += (_, e) => echo(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>
    /// Warnings and errors of the hosts (a header line "warn:", "fail:" or "crit:" and the indented
    /// lines that follow it), so a problem during the run shows beside the numbers.
    /// </summary>
    private static Action<string?> Echo(string host)
    {
        var echoing = false;
        return line =>
        {
            if (line is null) return;
            if (!line.StartsWith(' ')) echoing = line.Contains("warn:", StringComparison.Ordinal) || line.Contains("fail:", StringComparison.Ordinal) || line.Contains("crit:", StringComparison.Ordinal);
            if (echoing) Console.Error.WriteLine($"[{host}] {line}");
        };
    }

    private static async Task<JsonElement> Json(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"{response.RequestMessage?.RequestUri} answered {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
