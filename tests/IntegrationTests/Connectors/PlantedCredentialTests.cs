using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using Confluent.Kafka;
using Integrations.IntegrationTests.Api;
using Integrations.IntegrationTests.Connections;
using Integrations.IntegrationTests.Infrastructure;
using Integrations.IntegrationTests.Webhooks.Delivery;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using Npgsql;
using Shouldly;

namespace Integrations.IntegrationTests.Connectors;

/// <summary>
/// The system whose API logs everything (SQL included) into a capture, with no in-process Workers:
/// the test runs the Workers host as a process of its own, at the most verbose log level.
/// </summary>
public sealed class PlantedCredentialSystem : ConnectorsSystem
{
    public CapturingLoggerProvider ApiLogs { get; } = new();

    protected override bool StartWorkers => false;

    protected override void ConfigureApi(WebApplicationBuilder builder) =>
        builder.Logging.AddProvider(ApiLogs).AddFilter<CapturingLoggerProvider>(null, LogLevel.Trace);
}

/// <summary>
/// Credentials never leave the vault in the clear (issue 18): a full run — an OAuth connection made,
/// refreshed by the Workers, tested and deleted; an API-key connection whose route calls the provider
/// for an event; a key refused at creation — and then every log line of the API and of the Workers
/// process (at Trace, SQL included), every message of every Kafka topic, every answer of the API and
/// every row of every table of the database are searched for each credential the provider issued or
/// the test planted. None may hold one.
/// </summary>
public sealed class PlantedCredentialTests(PlantedCredentialSystem system) : IClassFixture<PlantedCredentialSystem>
{
    [Fact]
    public async Task No_credential_appears_in_any_log_line_topic_message_answer_or_table_row_of_a_full_run()
    {
        var workerOutput = new ConcurrentQueue<string>();
        var settings = new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Default"] = "Trace",
            ["Logging:LogLevel:Npgsql"] = "Trace",
            ["Connections:TokenSweep:Interval"] = "00:00:00.500",
        };
        await using var workers = await WorkerProcess.StartAsync(system, settings, output: workerOutput);

        // OAuth: tokens of 10 minutes are due at once (15-minute buffer), so the Workers refresh them.
        await system.Fake.Control.ResetAsync();
        await system.Fake.Control.SettingsAsync(new { access_token_lifetime_seconds = 600, refresh_tokens = "single_use" });
        var tenant = await system.TenantAsync();
        var oauthId = (await system.ConnectAsync(tenant.Client)).GetProperty("id").GetGuid();
        await system.Fake.Control.SettingsAsync(new { access_token_lifetime_seconds = 3600 });
        await Eventually.HoldsAsync(async () => (await system.Fake.Control.StatsAsync()).Successes("refresh_token") >= 1, TimeSpan.FromSeconds(30),
            "the Workers process refreshes the due connection");
        await ConnectionsSystem.TestAsync(tenant.Client, oauthId);
        await ConnectionsSystem.AuditAsync(tenant.Client, oauthId);
        var oauthTokens = await system.FakeTokensAsync();
        (await tenant.Client.DeleteAsync($"/api/v1/connections/{oauthId}")).StatusCode.ShouldBe(HttpStatusCode.NoContent);

        // API key: a route calls the provider with it for an event; a wrong key is refused at creation.
        await system.ResetFakeAsync();
        var (keyId, key) = await system.ConnectApiKeyAsync(tenant.Client);
        await ConnectorsSystem.RecordsRouteAsync(tenant.Client, keyId, "planted-");
        const string wrongKey = "planted-wrong-key-7d41c0e9a2";
        await tenant.Client.PostAsJsonAsync("/api/v1/connections", new
        {
            provider = "http", auth_kind = "api_key", credentials = new { api_key = wrongKey },
            settings = new { base_url = new Uri(system.Fake.BaseAddress, "/api").ToString(), health_check_path = "/me", account_id_path = "data.id" },
        });
        await tenant.Client.PublishAsync(data: ConnectorsSystem.Invoice("inv-planted", 4200));
        var calls = await ConnectorsSystem.WaitForCallsAsync(tenant.Client, keyId, c => c.Count == 1 && c[0].Status() == "succeeded", TimeSpan.FromSeconds(30),
            "the route's call succeeds");
        await ConnectorsSystem.CallAsync(tenant.Client, keyId, calls[0].Id());
        (await system.ReceivedAsync("/api/records")).ShouldContain(r => r.Headers.Values.Any(v => v.Contains(key)), "the key did reach the provider");

        var secrets = oauthTokens.Concat([key, wrongKey, ConnectionsSystem.ClientSecret]).ToList();
        secrets.Count.ShouldBeGreaterThan(4, "access and refresh tokens of the grant and its refresh, the keys, the client secret");
        var apiLogs = system.ApiLogs.Entries.Select(e => $"{e.Category} {e.Message} {e.Scopes} {e.Exception}").ToList();
        var workerLogs = workerOutput.ToList();
        apiLogs.ShouldContain(l => l.Contains("connection_credentials"), "the API logged its SQL");
        workerLogs.ShouldContain(l => l.Contains("connection_credentials"), "the Workers logged their SQL");
        var messages = ReadEveryTopic();
        messages.ShouldContain(m => m.Contains("inv-planted"), "the event went through Kafka");
        var rows = await EveryRowAsync();
        foreach (var secret in secrets)
        {
            var shown = secret[..Math.Min(6, secret.Length)] + "…";
            apiLogs.ShouldNotContain(l => l.Contains(secret, StringComparison.Ordinal), $"the API logged {shown}");
            workerLogs.ShouldNotContain(l => l.Contains(secret, StringComparison.Ordinal), $"the Workers logged {shown}");
            messages.ShouldNotContain(m => m.Contains(secret, StringComparison.Ordinal), $"a Kafka message held {shown}");
            system.ResponseBodies.ShouldNotContain(b => b.Contains(secret, StringComparison.Ordinal), $"an answer held {shown}");
            rows.ShouldNotContain(r => r.Contains(secret, StringComparison.Ordinal), $"a table row held {shown} in the clear");
        }
    }

    /// <summary>Every message of every topic the platform writes or reads, keys and headers included.</summary>
    private List<string> ReadEveryTopic()
    {
        using var consumer = new ConsumerBuilder<string, string>(new ConsumerConfig
        {
            BootstrapServers = system.Broker.BootstrapServers,
            GroupId = "planted-" + Guid.NewGuid().ToString("N"),
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
        }).Build();
        consumer.Subscribe(TestEnvironment.Topics.Select(t => t.Split(':')[0]));
        var read = new List<string>();
        var idleSince = DateTime.UtcNow;
        while (DateTime.UtcNow - idleSince < TimeSpan.FromSeconds(3))
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is not { Message: not null } result) continue;
            idleSince = DateTime.UtcNow;
            var headers = result.Message.Headers?.Select(h => h.Key + "=" + System.Text.Encoding.UTF8.GetString(h.GetValueBytes())) ?? [];
            read.Add($"{result.Topic} {result.Message.Key} {result.Message.Value} {string.Join(" ", headers)}");
        }
        consumer.Close();
        return read;
    }

    /// <summary>Every row of every table of the platform's database, as text.</summary>
    private async Task<List<string>> EveryRowAsync()
    {
        await using var connection = new NpgsqlConnection(system.ConnectionString);
        await connection.OpenAsync();
        var tables = new List<string>();
        await using (var list = new NpgsqlCommand(
            "select quote_ident(schemaname) || '.' || quote_ident(tablename) from pg_tables where schemaname not in ('pg_catalog', 'information_schema')", connection))
        await using (var reader = await list.ExecuteReaderAsync())
            while (await reader.ReadAsync()) tables.Add(reader.GetString(0));
        var rows = new List<string>();
        foreach (var table in tables)
        {
            await using var select = new NpgsqlCommand($"select t::text from {table} t", connection);
            await using var reader = await select.ExecuteReaderAsync();
            while (await reader.ReadAsync()) rows.Add(reader.GetString(0));
        }
        tables.ShouldContain("public.connection_credentials");
        return rows;
    }
}
