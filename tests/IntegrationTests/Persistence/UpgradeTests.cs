using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Integrations.Application.Common;
using Integrations.Application.Common.EventSourcing;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Events;
using Integrations.Domain.Events;
using Integrations.Domain.Marketplace;
using Integrations.Domain.Members;
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
        foreach (var tenant in new[] { "A", "B" })
        {
            var listed = (await (await Tenant(tenant).GetAsync("/api/v1/members?limit=100")).ShouldBeJsonAsync(HttpStatusCode.OK))
                .GetProperty("data").EnumerateArray().ToDictionary(m => m.GetProperty("id").GetGuid());
            var expected = UpgradeManifest.Members.Where(m => m.GetProperty("tenant").GetString() == tenant).ToList();
            listed.Count.ShouldBe(expected.Count, tenant);
            foreach (var member in expected) UpgradeManifest.ShouldMatch(listed[member.GetProperty("id").GetGuid()], member);
        }
        var removed = Manifest.GetProperty("members").GetProperty("removed")[0];
        (await system.ScalarAsync<string>("select status from members where id = @id", ("id", removed.GetProperty("id").GetGuid()))).ShouldBe("removed");

        foreach (var app in Manifest.GetProperty("oauth_apps").EnumerateArray())
        {
            var read = await (await Tenant(app.GetProperty("owner").GetString()!).GetAsync($"/api/v1/apps/{app.GetProperty("id").GetGuid()}"))
                .ShouldBeJsonAsync(HttpStatusCode.OK);
            read.GetProperty("client_id").GetString().ShouldBe(app.GetProperty("client_id").GetString());
            UpgradeManifest.ShouldMatch(read, app);
        }
        var marketplace = await (await system.Client().GetAsync("/api/v1/marketplace/apps")).ShouldBeJsonAsync(HttpStatusCode.OK);
        marketplace.GetProperty("data").EnumerateArray().Select(a => a.GetProperty("id").GetGuid())
            .ShouldBe(Manifest.GetProperty("marketplace_apps").EnumerateArray().Select(a => a.GetProperty("id").GetGuid()));
        foreach (var listed in Manifest.GetProperty("marketplace_apps").EnumerateArray())
            UpgradeManifest.ShouldMatch(marketplace.GetProperty("data").EnumerateArray().Single(a => a.GetProperty("id").GetGuid() == listed.GetProperty("id").GetGuid()), listed);
    }

    [Fact]
    public async Task Installed_apps_and_grants_read_back_and_the_recorded_refresh_tokens_are_live()
    {
        foreach (var tenant in Manifest.GetProperty("installed_apps").EnumerateObject())
        {
            var installed = (await (await Tenant(tenant.Name).GetAsync("/api/v1/installed-apps")).ShouldBeJsonAsync(HttpStatusCode.OK)).GetProperty("data");
            installed.GetArrayLength().ShouldBe(tenant.Value.GetArrayLength(), tenant.Name);
            foreach (var expected in tenant.Value.EnumerateArray())
                UpgradeManifest.ShouldMatch(installed.EnumerateArray().Single(a => a.GetProperty("id").GetGuid() == expected.GetProperty("id").GetGuid()), expected);
        }

        // Every grant's status as the API checks it on each request made with one of its tokens.
        await using var scope = system.Api.Services.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<Integrations.Application.OAuth.IOAuthStore>();
        var grants = await system.ScalarAsync<Guid[]>("select array_agg(id order by created_at) from oauth_grants");
        grants.Length.ShouldBe(Manifest.GetProperty("oauth_grants").GetArrayLength());
        foreach (var grant in grants)
        {
            var status = (await store.GrantStatusAsync(grant, CancellationToken.None)).ShouldNotBeNull();
            status.Revoked.ShouldBeFalse(grant.ToString());
        }

        // A refresh token of the confidential app, introspected with the app's recorded secret: client, grant and token read back as recorded.
        var recorded = UpgradeManifest.Grant("Globex Insights Sync");
        var app = UpgradeManifest.App("Globex Insights Sync", "https://insights.globex.example/oauth/callback");
        var opsLead = UpgradeManifest.Member("ops.lead@northwind.example");
        var expires = await system.ScalarAsync<DateTime>("select expires_at from oauth_refresh_tokens where token_hash = @h",
            ("h", Integrations.Application.OAuth.OpaqueSecret.Hash(recorded.GetProperty("refresh_token").GetString()!)));
        var introspected = await new OAuth.OAuthHarness(system).IntrospectAsync(app, recorded.GetProperty("refresh_token").GetString()!);
        introspected.GetProperty("active").GetBoolean().ShouldBe(expires > DateTime.UtcNow, "refresh tokens live 30 days from the fixture's day");
        if (expires > DateTime.UtcNow)
        {
            introspected.GetProperty("client_id").GetString().ShouldBe(app.ClientId);
            introspected.GetProperty("scope").GetString().ShouldBe(recorded.GetProperty("scope").GetString());
            introspected.GetProperty("sub").GetString().ShouldBe(opsLead.GetProperty("id").GetString());
            introspected.GetProperty("tenant_id").GetString().ShouldBe(opsLead.GetProperty("tenant_id").GetString());
        }
    }

    [Fact]
    public async Task Every_member_app_and_grant_got_a_stream_whose_one_event_holds_its_row_with_hashes_only()
    {
        var rows = Manifest.GetProperty("database").GetProperty("table_row_counts");
        foreach (var (type, table) in new[] { ("MemberImported", "members"), ("AppImported", "oauth_apps"), ("GrantImported", "oauth_grants") })
        {
            (await system.ScalarAsync<long>("select count(*) from marten.mt_events where type = @t and version = 1 and headers->>'actor' = 'migration:0025'",
                ("t", type))).ShouldBe(rows.GetProperty(table).GetInt64(), type);
            (await system.ScalarAsync<long>("select count(*) from marten.mt_events where type = @t and seq_id <= @max",
                ("t", type), ("max", Manifest.GetProperty("database").GetProperty("es_events_max_global_seq").GetInt64()))).ShouldBe(0, "new sequence numbers");
        }
        (await system.ScalarAsync<long>("""
            select count(*) from marten.mt_events e join marten.mt_streams s on s.id = e.stream_id and s.tenant_id = e.tenant_id
            where e.type in ('MemberImported', 'AppImported', 'GrantImported') and s.version = 1
            """)).ShouldBe(rows.GetProperty("members").GetInt64() + rows.GetProperty("oauth_apps").GetInt64() + rows.GetProperty("oauth_grants").GetInt64());

        // The streams read back under their tenants, as the deciders see them.
        await using var scope = system.Api.Services.CreateAsyncScope();
        var aggregates = scope.ServiceProvider.GetRequiredService<AggregateStore>();
        foreach (var member in UpgradeManifest.Members.Append(Manifest.GetProperty("members").GetProperty("removed")[0]))
        {
            var id = member.GetProperty("id").GetGuid();
            var tenantId = await system.ScalarAsync<Guid>("select tenant_id from members where id = @id", ("id", id));
            var state = (await aggregates.LoadAsync(MemberDecider.Decider, MemberDecider.StreamId(id), tenantId, CancellationToken.None)).State;
            state.Email.ShouldBe(member.GetProperty("email").GetString());
            state.Status.ShouldBe(member.TryGetProperty("status", out var status) ? status.GetString() : MemberStatuses.Removed);
            state.PasswordHash.ShouldBe(await system.ScalarAsync<object>("select password_hash from members where id = @id", ("id", id)) as string);
            state.InvitedAt.UtcDateTime.ShouldBe(await system.ScalarAsync<DateTime>("select invited_at from members where id = @id", ("id", id)));
            if (member.TryGetProperty("invitation_token", out var token))
                state.InvitationHash.ShouldBe(Integrations.Application.OAuth.OpaqueSecret.Hash(token.GetString()!));
        }
        foreach (var app in Manifest.GetProperty("oauth_apps").EnumerateArray())
        {
            var state = (await aggregates.LoadAsync(AppDecider.Decider, AppDecider.StreamId(app.GetProperty("id").GetGuid()),
                app.GetProperty("owner_tenant_id").GetGuid(), CancellationToken.None)).State;
            state.ClientId.ShouldBe(app.GetProperty("client_id").GetString());
            state.ScreenshotUrls.ShouldBe(app.GetProperty("screenshot_urls").EnumerateArray().Select(u => u.GetString()));
            state.ReviewStatus.ShouldBe(app.GetProperty("review_status").GetString());
            state.ClientSecretHash.ShouldBe(app.GetProperty("client_secret").GetString() is { } secret ? Integrations.Application.OAuth.OpaqueSecret.Hash(secret) : null);
        }
        foreach (var grant in await system.ScalarAsync<Guid[]>("select array_agg(id) from oauth_grants"))
        {
            var tenantId = await system.ScalarAsync<Guid>("select tenant_id from oauth_grants where id = @id", ("id", grant));
            var state = (await aggregates.LoadAsync(GrantDecider.Decider, GrantDecider.StreamId(grant), tenantId, CancellationToken.None)).State;
            state.Exists.ShouldBeTrue();
            state.Scopes.ShouldBe(await system.ScalarAsync<string[]>("select scopes from oauth_grants where id = @id", ("id", grant)));
            state.GrantType.ShouldBe(await system.ScalarAsync<string>("select grant_type from oauth_grants where id = @id", ("id", grant)));
        }

        // Hashes only: no secret the fixture recorded in plaintext is in the log.
        var plaintext = Manifest.GetProperty("oauth_apps").EnumerateArray().Select(a => a.GetProperty("client_secret").GetString())
            .Concat(Manifest.GetProperty("oauth_grants").EnumerateArray().Select(g => g.TryGetProperty("refresh_token", out var t) ? t.GetString() : null))
            .Concat(UpgradeManifest.Members.Select(m => m.TryGetProperty("invitation_token", out var t) ? t.GetString() : null))
            .Append(Manifest.GetProperty("members").GetProperty("password_of_every_accepted_member").GetString())
            .OfType<string>().ToList();
        plaintext.Count.ShouldBe(6);
        foreach (var secret in plaintext)
            (await system.ScalarAsync<long>("select count(*) from marten.mt_events where strpos(data::text, @s) > 0", ("s", secret))).ShouldBe(0);
    }

    [Fact]
    public async Task Rebuilding_members_apps_and_grants_gives_the_rows_of_the_release_before()
    {
        var rows = Manifest.GetProperty("database").GetProperty("table_row_counts");
        foreach (var table in new[] { "members", "oauth_apps", "oauth_grants" })
        {
            var before = await UpgradeManifest.DumpAsync(system, table);
            (await system.ScalarAsync<long>($"select count(*) from {table}")).ShouldBe(rows.GetProperty(table).GetInt64(), table);

            var rebuilt = await (await system.Admin.PostAsync($"/api/v1/admin/projections/{table}/rebuild", null)).ShouldBeJsonAsync(HttpStatusCode.OK);

            rebuilt.GetProperty("events_replayed").GetInt64().ShouldBe(rows.GetProperty(table).GetInt64(), table);
            (await UpgradeManifest.DumpAsync(system, table)).ShouldBe(before, table);
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
