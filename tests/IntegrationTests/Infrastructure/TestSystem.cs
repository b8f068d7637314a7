using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Integrations.Api;
using Integrations.Workers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Shouldly;

namespace Integrations.IntegrationTests.Infrastructure;

/// <summary>
/// The whole system as a user runs it: the API on a real loopback port, the Workers host, a broker
/// process of its own (so consumer groups never mix with other test classes) and a fresh database.
/// Use as an xunit class fixture.
/// </summary>
public class TestSystem : IAsyncLifetime
{
    public string AdminKey { get; } = "adm_test_" + Guid.NewGuid().ToString("N");

    public string ConnectionString { get; private set; } = "";

    /// <summary>The platform key that encrypts secrets at rest (Secrets:EncryptionKey).</summary>
    public virtual string SecretsKey { get; } = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    public KafkaDevBroker Broker { get; private set; } = null!;

    public Uri BaseAddress { get; private set; } = null!;

    public HttpClient Admin { get; private set; } = null!;

    public WebApplication Api { get; private set; } = null!;

    public IHost? Workers { get; private set; }

    private readonly List<IHost> _extraWorkers = [];

    /// <summary>
    /// Rate-limit windows are aligned on the database clock and shared by all partitions: when the
    /// current one ends within 15 s, waits for the next, so a test that counts requests against a
    /// quota never straddles a reset. The admin's probe costs no tenant anything.
    /// </summary>
    public async Task WaitForAFreshRateLimitWindowAsync()
    {
        using var probe = await Admin.GetAsync("/api/v1/tenants?limit=1");
        var reset = int.Parse(probe.Headers.GetValues("X-RateLimit-Reset").Single(), System.Globalization.CultureInfo.InvariantCulture);
        if (reset < 15) await Task.Delay(TimeSpan.FromSeconds(reset + 1));
    }

    protected virtual bool StartWorkers => true;

    /// <summary>A fresh migrated database on the shared test server, unless a system needs a server of its own.</summary>
    protected virtual Task<string> CreateDatabaseAsync() => TestEnvironment.CreateMigratedDatabaseAsync();

    protected virtual IDictionary<string, string?> ExtraConfiguration => new Dictionary<string, string?>();

    /// <summary>More for the system's API host before it is built, e.g. a logging provider that captures its log.</summary>
    protected virtual void ConfigureApi(WebApplicationBuilder builder)
    {
    }

    public virtual async Task InitializeAsync()
    {
        Broker = await KafkaDevBroker.StartAsync(TestEnvironment.Topics);
        ConnectionString = await CreateDatabaseAsync();
        var configuration = Configuration();

        Api = ApiHost.Build(["--urls", "http://127.0.0.1:0", "--environment", "Testing"], b =>
        {
            b.Configuration.AddInMemoryCollection(configuration);
            ConfigureApi(b);
        });
        await Api.StartAsync();
        var address = Api.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address);
        Admin = Client(AdminKey);

        if (StartWorkers) await StartWorkersAsync();
    }

    /// <param name="overrides">Settings for this Workers host only, e.g. a stricter one than the API's.</param>
    public async Task StartWorkersAsync(IDictionary<string, string?>? overrides = null)
    {
        Workers = BuildWorkers(overrides);
        await Workers.StartAsync();
    }

    /// <summary>
    /// Another Workers host beside <see cref="Workers"/>, built the same way with the same
    /// configuration, as a second instance of a deployment runs: it joins the same consumer groups
    /// and claims from the same delivery queue. Stopped and disposed with the system unless the
    /// caller stops it first (<see cref="StopExtraWorkersAsync"/>).
    /// </summary>
    public async Task<IHost> StartExtraWorkersAsync(IDictionary<string, string?>? overrides = null)
    {
        var host = BuildWorkers(overrides);
        lock (_extraWorkers) _extraWorkers.Add(host);
        await host.StartAsync();
        return host;
    }

    /// <param name="abruptly">
    /// Stop as if the host's shutdown timeout had already run out: requests and messages in flight
    /// are cut off, and nothing they did is recorded (the in-process stand-in for a crash).
    /// </param>
    public async Task StopExtraWorkersAsync(IHost host, bool abruptly = false)
    {
        lock (_extraWorkers)
        {
            if (!_extraWorkers.Remove(host)) return;
        }
        await StopAsync(host, abruptly);
    }

    /// <summary>
    /// Another API instance on a port of its own, against the same database and broker (e.g. to show
    /// that a quota holds across instances). The caller stops and disposes it.
    /// </summary>
    public async Task<(WebApplication App, Uri BaseAddress)> StartApiInstanceAsync(Action<WebApplicationBuilder>? configure = null)
    {
        var configuration = Configuration();
        var app = ApiHost.Build(["--urls", "http://127.0.0.1:0", "--environment", "Testing"], b =>
        {
            b.Configuration.AddInMemoryCollection(configuration);
            configure?.Invoke(b);
        });
        await app.StartAsync();
        return (app, new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()));
    }

    public async Task StopWorkersAsync()
    {
        if (Workers is null) return;
        await StopAsync(Workers, abruptly: false);
        Workers = null;
    }

    private IHost BuildWorkers(IDictionary<string, string?>? overrides)
    {
        var configuration = Configuration();
        // Where providers reach this system's inbound URLs (the registrations the Workers keep, ADR 0028): the API's address.
        configuration.TryAdd("Connectors:Registrations:PublicBaseUrl", BaseAddress.ToString());
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>()) configuration[key] = value;
        return WorkerHost.Build(["--environment", "Testing"], b => b.Configuration.AddInMemoryCollection(configuration));
    }

    private static async Task StopAsync(IHost host, bool abruptly)
    {
        using var deadline = new CancellationTokenSource();
        if (abruptly) await deadline.CancelAsync();
        try
        {
            await host.StopAsync(deadline.Token);
        }
        catch (OperationCanceledException) when (abruptly)
        {
            // Out of time by design: whatever was still running was cut off.
        }
        host.Dispose();
    }

    /// <summary>The settings every host of this system runs with (also for hosts started as separate processes).</summary>
    public Dictionary<string, string?> Configuration()
    {
        var configuration = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Postgres"] = ConnectionString,
            ["Kafka:BootstrapServers"] = Broker.BootstrapServers,
            ["Auth:AdminKey"] = AdminKey,
            ["Kafka:MessageTimeoutMs"] = "10000",
            ["Outbox:CompletionTimeout"] = "00:00:05",
            ["Logging:LogLevel:Default"] = "Warning",
            // One key for the API and the Workers host: both must read the secrets the other stored.
            ["Secrets:EncryptionKey"] = SecretsKey,
            // Test receivers listen on 127.0.0.1; the SSRF tests turn this off in a fixture of their own.
            ["Webhooks:AllowPrivateNetworkTargets"] = "true",
        };
        foreach (var (key, value) in ExtraConfiguration) configuration[key] = value;
        return configuration;
    }

    public HttpClient Client(string? bearer = null)
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        if (bearer is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        return client;
    }

    /// <summary>A new tenant and one API key for it, through the public API.</summary>
    public async Task<TenantWithKey> CreateTenantWithKeyAsync(string plan = "pro", string? name = null)
    {
        var created = await Admin.PostAsJsonAsync("/api/v1/tenants", new { name = name ?? "Tenant " + Guid.NewGuid().ToString("N")[..6], plan });
        created.StatusCode.ShouldBe(System.Net.HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var tenantId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();

        var key = await Admin.PostAsync($"/api/v1/tenants/{tenantId}/api-keys", null);
        key.StatusCode.ShouldBe(System.Net.HttpStatusCode.Created, await key.Content.ReadAsStringAsync());
        var body = await key.Content.ReadFromJsonAsync<JsonElement>();
        return new TenantWithKey(tenantId, body.GetProperty("id").GetGuid(), body.GetProperty("key").GetString()!, Client(body.GetProperty("key").GetString()));
    }

    public async Task<T> ScalarAsync<T>(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    public async Task ExecuteAsync(string sql, params (string Name, object Value)[] parameters) => await ScalarAsync<object?>(sql, parameters);

    public virtual async Task DisposeAsync()
    {
        List<IHost> extra;
        lock (_extraWorkers) extra = [.. _extraWorkers];
        foreach (var host in extra) await StopExtraWorkersAsync(host);
        await StopWorkersAsync();
        if (Api is not null)
        {
            await Api.StopAsync();
            await Api.DisposeAsync();
        }
        if (Broker is not null) await Broker.DisposeAsync();
    }
}

public sealed record TenantWithKey(Guid TenantId, Guid KeyId, string Key, HttpClient Client);

public static class Eventually
{
    /// <summary>Polls until the condition holds or the timeout passes; never a fixed sleep.</summary>
    public static async Task HoldsAsync(Func<Task<bool>> condition, TimeSpan timeout, string because)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (await condition()) return;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Not within {timeout.TotalSeconds:F0} s: {because}");
            await Task.Delay(100);
        }
    }

    /// <summary>Polls until <paramref name="read"/> gives a value (not null); that value.</summary>
    public static async Task<T> ValueAsync<T>(Func<Task<T?>> read, TimeSpan timeout, string because) where T : struct
    {
        T? value = null;
        await HoldsAsync(async () => (value = await read()) is not null, timeout, because);
        return value!.Value;
    }
}
