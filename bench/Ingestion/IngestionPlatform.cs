using System.Diagnostics;
using System.Security.Cryptography;
using Integrations.Bench;
using Integrations.IntegrationTests.Infrastructure;
using Npgsql;

namespace Integrations.Bench.Ingestion;

/// <summary>
/// PostgreSQL and the development broker (the throwaway processes of the tests) and the API as a
/// process of its own from the Release build; the CPU each has used, read from /proc.
/// </summary>
public sealed class IngestionPlatform : IAsyncDisposable
{
    private PostgresServer _postgres = null!;
    private KafkaDevBroker _broker = null!;
    private Process _api = null!;
    private string _connectionString = "";

    public string AdminKey { get; } = "adm_bench_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    public Uri ApiAddress { get; private set; } = null!;

    public static async Task<IngestionPlatform> StartAsync(string root)
    {
        var platform = new IngestionPlatform { _postgres = await PostgresServer.StartAsync() };
        platform._connectionString = await platform._postgres.CreateDatabaseAsync("bench");
        platform._broker = await KafkaDevBroker.StartAsync("integrations.events.v1:12");
        platform.ApiAddress = new Uri($"http://127.0.0.1:{ProcFs.FreePort()}");

        var assembly = Path.Combine(root, "src/Api/bin/Release/net10.0/linux-x64/Integrations.Api.dll");
        if (!File.Exists(assembly)) throw new FileNotFoundException($"{assembly} is missing: build the solution in Release first (bench/run.sh does).");
        var start = new ProcessStartInfo("dotnet", [assembly]) { WorkingDirectory = Path.GetDirectoryName(assembly)!, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (name, value) in new Dictionary<string, string>
                 {
                     ["ASPNETCORE_URLS"] = platform.ApiAddress.ToString(),
                     ["ConnectionStrings__Postgres"] = platform._connectionString + ";Maximum Pool Size=50",
                     ["Kafka__BootstrapServers"] = platform._broker.BootstrapServers,
                     ["Auth__AdminKey"] = platform.AdminKey,
                     ["Secrets__EncryptionKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
                     // As in production: warnings and errors only.
                     ["Logging__LogLevel__Default"] = "Warning",
                     ["Logging__LogLevel__Microsoft.AspNetCore"] = "Warning",
                     // The per-tenant quota would cap the single POSTs; it is not what this measures.
                     ["RateLimits__Enabled"] = "false",
                     ["DOTNET_ENVIRONMENT"] = "Production",
                 })
        {
            start.Environment[name] = value;
        }
        platform._api = Process.Start(start)!;
        platform._api.OutputDataReceived += (_, e) => { if (e.Data is { } line && (line.Contains("fail:") || line.Contains("crit:"))) Console.Error.WriteLine($"[api] {line}"); };
        platform._api.ErrorDataReceived += (_, e) => { if (e.Data is { } line) Console.Error.WriteLine($"[api] {line}"); };
        platform._api.BeginOutputReadLine();
        platform._api.BeginErrorReadLine();

        using var http = new HttpClient { BaseAddress = platform.ApiAddress };
        var waited = Stopwatch.StartNew();
        while (true)
        {
            if (platform._api.HasExited) throw new InvalidOperationException("The API exited during start-up.");
            try
            {
                if ((await http.GetAsync("/health/ready")).IsSuccessStatusCode) break;
            }
            catch (HttpRequestException)
            {
            }
            if (waited.Elapsed > TimeSpan.FromSeconds(60)) throw new TimeoutException("The API did not become ready within 60 s.");
            await Task.Delay(200);
        }
        return platform;
    }

    public HttpClient Client(string bearer)
    {
        var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256 }) { BaseAddress = ApiAddress, Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", bearer);
        return client;
    }

    public async Task<long> CountEventsAsync(Guid tenantId)
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("select count(*) from events where tenant_id = @t", connection);
        command.Parameters.AddWithValue("t", tenantId);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>CPU seconds used so far (user + system); PostgreSQL is its postmaster with live backends and the exited ones.</summary>
    public (double Api, double Postgres) CpuSeconds()
    {
        var postgres = ProcFs.PostgresPids(_postgres.DataDirectory);
        return (ProcFs.CpuSeconds(_api.Id, withChildren: false), postgres.Sum(pid => ProcFs.CpuSeconds(pid, withChildren: pid == postgres[0])));
    }

    public async ValueTask DisposeAsync()
    {
        if (!_api.HasExited)
        {
            ProcessRunner.Signal(_api.Id);
            await _api.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (!_api.HasExited) _api.Kill(entireProcessTree: true);
        }
        await _broker.DisposeAsync();
        await _postgres.DisposeAsync();
    }
}
