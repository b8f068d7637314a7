using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.Json;
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
    private PostgresServer _postgres = null!;
    private KafkaDevBroker _broker = null!;

    public string AdminKey { get; } = "adm_bench_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    public Uri ApiAddress { get; private set; } = null!;

    public Process Api => _hosts[0];

    public Process Workers => _hosts[1];

    public int PostgresPort => _postgres.Port;

    public int BrokerPid { get; private set; }

    public static async Task<Platform> StartAsync(string root, IReadOnlyDictionary<string, string> workerSettings)
    {
        var platform = new Platform();
        platform._postgres = await PostgresServer.StartAsync();
        var connectionString = await platform._postgres.CreateDatabaseAsync("bench");
        platform._broker = await KafkaDevBroker.StartAsync("integrations.events.v1:12", "integrations.webhook-deliveries.v1:12");
        platform.BrokerPid = FindPid(root);

        var common = new Dictionary<string, string>
        {
            ["ConnectionStrings__Postgres"] = connectionString + ";Maximum Pool Size=100",
            ["Kafka__BootstrapServers"] = platform._broker.BootstrapServers,
            ["Auth__AdminKey"] = platform.AdminKey,
            ["Secrets__EncryptionKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ["Webhooks__AllowPrivateNetworkTargets"] = "true",
            ["Logging__LogLevel__Default"] = "Warning",
            // The API's per-tenant quota would cap the publishers; it is not what this measures.
            ["RateLimits__Enabled"] = "false",
            ["DOTNET_ENVIRONMENT"] = "Production",
        };
        var port = FreePort();
        platform.ApiAddress = new Uri($"http://127.0.0.1:{port}");
        platform._hosts.Add(Start(Path.Combine(root, "src/Api/bin/Release/net10.0/linux-x64/Integrations.Api.dll"), common,
            new Dictionary<string, string> { ["ASPNETCORE_URLS"] = platform.ApiAddress.ToString() }));
        platform._hosts.Add(Start(Path.Combine(root, "src/Workers/bin/Release/net10.0/linux-x64/Integrations.Workers.dll"), common, workerSettings));

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

    /// <summary>Resident memory of every process of the platform, in MiB: PostgreSQL counts all its processes.</summary>
    public IReadOnlyList<(string Process, double MiB)> Memory() =>
    [
        ("API", Rss(Api.Id)),
        ("Workers", Rss(Workers.Id)),
        ("PostgreSQL (all processes)", PostgresRss()),
        ("Kafka dev broker", BrokerPid > 0 ? Rss(BrokerPid) : double.NaN),
        ("bench (sink + publishers)", Rss(Environment.ProcessId)),
    ];

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
        var name = Path.GetFileNameWithoutExtension(assembly);
        process.OutputDataReceived += (_, e) => Echo(name, e.Data);
        process.ErrorDataReceived += (_, e) => Echo(name, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>Warnings and errors of the hosts, so a problem during the run is visible beside the numbers.</summary>
    private static void Echo(string host, string? line)
    {
        if (line is not null && (line.Contains("fail:", StringComparison.Ordinal) || line.Contains("crit:", StringComparison.Ordinal)))
            Console.Error.WriteLine($"[{host}] {line}");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static int FindPid(string root) =>
        Directory.EnumerateDirectories("/proc").Select(d => int.TryParse(Path.GetFileName(d), out var pid) ? pid : 0).Where(pid => pid > 0)
            .FirstOrDefault(pid => Read($"/proc/{pid}/cmdline")?.Contains("kafka-dev-broker", StringComparison.Ordinal) == true
                                   && Read($"/proc/{pid}/stat")?.Split(' ')[3] == Environment.ProcessId.ToString());

    private double PostgresRss()
    {
        // The postmaster and its children (backends, walwriter, ...): the processes whose command line names this data directory, and their children.
        var all = Directory.EnumerateDirectories("/proc").Select(d => int.TryParse(Path.GetFileName(d), out var pid) ? pid : 0).Where(pid => pid > 0).ToList();
        var postmaster = all.FirstOrDefault(pid => Read($"/proc/{pid}/cmdline")?.Contains(_postgres.DataDirectory, StringComparison.Ordinal) == true);
        if (postmaster == 0) return double.NaN;
        return Rss(postmaster) + all.Where(pid => Read($"/proc/{pid}/stat")?.Split(' ')[3] == postmaster.ToString()).Sum(Rss);
    }

    private static double Rss(int pid)
    {
        var line = Read($"/proc/{pid}/status")?.Split('\n').FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return line is null ? 0 : double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024;
    }

    private static string? Read(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static async Task<JsonElement> Json(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"{response.RequestMessage?.RequestUri} answered {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
