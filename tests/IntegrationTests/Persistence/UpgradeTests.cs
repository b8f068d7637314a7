using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Integrations.Application.Common;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Events;
using Integrations.Domain.Events;
using Integrations.IntegrationTests.Api;
using Integrations.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Shouldly;

namespace Integrations.IntegrationTests.Persistence;

/// <summary>
/// A database the release before Marten created and filled through its API (Upgrade/README.md:
/// tenants, keys, endpoints with a rotated secret, events, deliveries with their attempts and dead
/// letters, members, apps and grants), restored with psql. The hosts migrate it at start-up
/// (0022 onwards: the log moves into Marten) and everything must read back through the API.
/// </summary>
public sealed class UpgradedSystem : TestSystem
{
    public static readonly JsonElement Manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "manifest.json"))).RootElement;

    private static string Folder => Path.Combine(TestEnvironment.RepositoryRoot(), "tests", "IntegrationTests", "Persistence", "Upgrade");

    public override string SecretsKey => Manifest.GetProperty("secrets_encryption_key").GetString()!;

    protected override async Task<string> CreateDatabaseAsync()
    {
        var server = await TestEnvironment.Postgres;
        var name = "upgrade_" + Guid.NewGuid().ToString("N")[..12];
        var connectionString = await server.CreateDatabaseAsync(name);
        var bin = Environment.GetEnvironmentVariable("INTEGRATIONS_PG_BIN") is { Length: > 0 } b ? b : "/usr/lib/postgresql/15/bin";
        await ProcessRunner.RunAsync(Path.Combine(bin, "psql"),
            ["-h", "127.0.0.1", "-p", server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-U", "postgres", "-d", name,
             "-v", "ON_ERROR_STOP=1", "-q", "-f", Path.Combine(Folder, "release-2026-12-06.sql")]);
        return connectionString;
    }
}

public class UpgradeTests(UpgradedSystem system) : IClassFixture<UpgradedSystem>
{
    private static readonly JsonElement Manifest = UpgradedSystem.Manifest;

    private HttpClient Tenant(string label)
    {
        var key = Manifest.GetProperty("api_keys_plaintext").EnumerateArray().First(k => k.GetProperty("tenant").GetString() == label && !k.GetProperty("revoked").GetBoolean());
        return system.Client(key.GetProperty("key").GetString());
    }

    [Fact]
    public async Task The_log_moved_into_Marten_with_its_ids_versions_sequences_and_metadata()
    {
        var database = Manifest.GetProperty("database");
        // Beside the moved log, 0025 gave every member, app and grant row a stream of its own (see below).
        const string moved = "marten.mt_events where type not in ('MemberImported', 'AppImported', 'GrantImported')";
        (await system.ScalarAsync<long>($"select count(*) from {moved}")).ShouldBe(database.GetProperty("es_events_count").GetInt64());
        (await system.ScalarAsync<long>($"select max(seq_id) from {moved}")).ShouldBe(database.GetProperty("es_events_max_global_seq").GetInt64());
        (await system.ScalarAsync<long>("select count(*) from pg_tables where tablename = 'es_events'")).ShouldBe(0);
        foreach (var type in database.GetProperty("es_events_by_event_type").EnumerateObject())
            (await system.ScalarAsync<long>("select count(*) from marten.mt_events where type = @t", ("t", type.Name))).ShouldBe(type.Value.GetInt64(), type.Name);
        (await system.ScalarAsync<long>("select count(*) from marten.mt_events where headers->>'actor' = '' or mt_dotnet_type is null")).ShouldBe(0);
    }

    [Fact]
    public async Task Tenants_and_their_keys_read_back_and_the_revoked_key_stays_revoked()
    {
        foreach (var tenant in Manifest.GetProperty("tenants").EnumerateArray())
        {
            var read = await (await system.Admin.GetAsync($"/api/v1/tenants/{tenant.GetProperty("id").GetGuid()}")).ShouldBeJsonAsync(HttpStatusCode.OK);
            read.GetProperty("name").GetString().ShouldBe(tenant.GetProperty("name").GetString());
            read.GetProperty("plan").GetString().ShouldBe(tenant.GetProperty("plan").GetString());
        }
        foreach (var key in Manifest.GetProperty("api_keys_plaintext").EnumerateArray())
            (await system.Client(key.GetProperty("key").GetString()).GetAsync("/api/v1/events?limit=1")).StatusCode
                .ShouldBe(key.GetProperty("revoked").GetBoolean() ? HttpStatusCode.Unauthorized : HttpStatusCode.OK, key.GetProperty("prefix").GetString());
    }

    [Fact]
    public async Task Every_event_reads_back_with_its_sequence_and_the_published_bytes()
    {
        foreach (var e in Manifest.GetProperty("events").EnumerateArray())
        {
            var read = await (await Tenant(e.GetProperty("tenant").GetString()!).GetAsync($"/api/v1/events/{e.GetProperty("id").GetGuid()}"))
                .ShouldBeJsonAsync(HttpStatusCode.OK);
            read.GetProperty("event_type").GetString().ShouldBe(e.GetProperty("event_type").GetString());
            read.GetProperty("sequence").GetInt64().ShouldBe(e.GetProperty("sequence").GetInt64());
            read.GetProperty("status").GetString().ShouldBe(e.GetProperty("status").GetString());
            JsonElement.DeepEquals(read.GetProperty("data"), e.GetProperty("data")).ShouldBeTrue(e.GetProperty("id").GetString());
        }
    }

    [Fact]
    public async Task The_kafka_envelope_of_an_event_is_byte_for_byte_what_the_old_store_published()
    {
        await using var scope = system.Api.Services.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<IEventStore>();
        var compared = 0;
        foreach (var e in Manifest.GetProperty("events").EnumerateArray().Where(_ => true))
        {
            var id = e.GetProperty("id").GetGuid();
            var published = await system.ScalarAsync<string>("select payload from outbox where message_id = @id", ("id", id));
            var stream = IngestedEventDecider.StreamId(id);
            var stored = (await store.ReadStreamsAsync([new StreamKey(stream, e.GetProperty("tenant_id").GetGuid())], CancellationToken.None))[stream][0];
            var accepted = (EventAccepted)stored.Data;
            var envelope = new EventEnvelope(accepted.EventId, accepted.EventType, accepted.TenantId, accepted.Timestamp,
                JsonDocument.Parse(accepted.DataJson).RootElement, EventEnvelope.CurrentSchemaVersion);

            EventEnvelope.ToOutboxMessage(envelope, stored.GlobalSequence, stored.Metadata.CorrelationId!).Payload.ShouldBe(published, id.ToString());
            compared++;
        }
        compared.ShouldBe(61);
    }

    [Fact]
    public async Task Endpoints_keep_their_settings_and_secrets()
    {
        foreach (var endpoint in Manifest.GetProperty("webhook_endpoints").EnumerateArray())
        {
            var client = Tenant(endpoint.GetProperty("tenant").GetString()!);
            var id = endpoint.GetProperty("id").GetGuid();
            var read = await (await client.GetAsync($"/api/v1/webhook-endpoints/{id}")).ShouldBeJsonAsync(HttpStatusCode.OK);
            read.GetProperty("url").GetString().ShouldBe(endpoint.GetProperty("url").GetString());
            read.GetProperty("status").GetString().ShouldBe(endpoint.GetProperty("status").GetString());
            var secret = await (await client.PostAsync($"/api/v1/webhook-endpoints/{id}/reveal-secret", null)).ShouldBeJsonAsync(HttpStatusCode.OK);
            secret.GetProperty("secret").GetString().ShouldBe(endpoint.GetProperty("secret").GetString());
        }
    }

    [Fact]
    public async Task Every_delivery_reads_back_with_its_attempts_from_its_stream()
    {
        foreach (var delivery in Manifest.GetProperty("webhook_deliveries").EnumerateArray())
        {
            var read = await (await Tenant(delivery.GetProperty("tenant").GetString()!).GetAsync($"/api/v1/webhook-deliveries/{delivery.GetProperty("id").GetGuid()}"))
                .ShouldBeJsonAsync(HttpStatusCode.OK);
            read.GetProperty("status").GetString().ShouldBe(delivery.GetProperty("status").GetString());
            read.GetProperty("attempt_count").GetInt32().ShouldBe(delivery.GetProperty("attempt_count").GetInt32());
            var attempts = read.GetProperty("attempts").EnumerateArray().ToList();
            attempts.Count.ShouldBe(delivery.GetProperty("number_of_attempts").GetInt32());
            attempts.Select(a => a.TryGetProperty("status_code", out var c) && c.ValueKind == JsonValueKind.Number ? c.GetInt32() : 0)
                .ShouldBe(delivery.GetProperty("attempts").EnumerateArray().Select(a => a.GetProperty("status_code").ValueKind == JsonValueKind.Number ? a.GetProperty("status_code").GetInt32() : 0));
        }
    }

    [Fact]
    public async Task Members_and_apps_read_back()
    {
        foreach (var member in Manifest.GetProperty("members").GetProperty("list").EnumerateArray())
        {
            var listed = await (await Tenant(member.GetProperty("tenant").GetString()!).GetAsync("/api/v1/members?limit=100")).ShouldBeJsonAsync(HttpStatusCode.OK);
            listed.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetGuid()).ShouldContain(member.GetProperty("id").GetGuid());
        }
        foreach (var app in Manifest.GetProperty("oauth_apps").EnumerateArray())
        {
            var read = await (await Tenant(app.GetProperty("owner").GetString()!).GetAsync($"/api/v1/apps/{app.GetProperty("id").GetGuid()}"))
                .ShouldBeJsonAsync(HttpStatusCode.OK);
            read.GetProperty("client_id").GetString().ShouldBe(app.GetProperty("client_id").GetString());
        }
    }

    [Fact]
    public async Task The_upgraded_streams_take_new_events_where_they_left_off()
    {
        var tenant = Manifest.GetProperty("tenants")[0];
        var id = tenant.GetProperty("id").GetGuid();
        var patch = new HttpRequestMessage(HttpMethod.Patch, $"/api/v1/tenants/{id}") { Content = new StringContent("""{"plan":"enterprise"}""", System.Text.Encoding.UTF8, "application/json") };
        patch.Headers.IfMatch.Add(new EntityTagHeaderValue($"\"{tenant.GetProperty("version").GetInt64()}\""));
        var patched = await (await system.Admin.SendAsync(patch)).ShouldBeJsonAsync(HttpStatusCode.OK);
        patched.GetProperty("version").GetInt64().ShouldBe(tenant.GetProperty("version").GetInt64() + 1);

        var accepted = await (await Tenant("A").PostAsync("/api/v1/events", new StringContent("""{"event_type":"user.joined","data":{"user_id":"u_after_upgrade"}}""",
            System.Text.Encoding.UTF8, "application/json"))).ShouldBeJsonAsync(HttpStatusCode.Accepted);
        var read = await (await Tenant("A").GetAsync($"/api/v1/events/{accepted.GetProperty("id").GetGuid()}")).ShouldBeJsonAsync(HttpStatusCode.OK);
        read.GetProperty("sequence").GetInt64().ShouldBeGreaterThan(Manifest.GetProperty("database").GetProperty("es_events_max_global_seq").GetInt64());
    }
}
