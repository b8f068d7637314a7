using Integrations.Application.ApiKeys.Commands.CreateApiKey;
using Integrations.Application.ApiKeys.Commands.RevokeApiKey;
using Integrations.Application.Common.Exceptions;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Projections.Commands.RebuildProjection;
using Integrations.Application.Tenants.Commands.CreateTenant;
using Integrations.Application.Tenants.Commands.UpdateTenant;
using Integrations.Domain.Events;
using Integrations.Domain.Marketplace;
using Integrations.Domain.Members;
using Integrations.Domain.Tenants;
using Microsoft.Extensions.DependencyInjection;
using Shouldly;
using Xunit;

namespace Integrations.IntegrationTests.Persistence;

public sealed class ProjectionRebuildTests : PersistenceTestBase
{
    [Fact]
    public async Task Rebuilding_tenants_restores_a_corrupted_read_model_exactly()
    {
        var tenants = new List<TenantDto>();
        for (var i = 0; i < 3; i++) tenants.Add(await SendAsync(new CreateTenantCommand($"Tenant {i}", Plans.Starter)));
        var keys = new List<CreatedApiKeyDto>();
        foreach (var tenant in tenants)
        {
            keys.Add(await SendAsync(new CreateApiKeyCommand(tenant.Id)));
            keys.Add(await SendAsync(new CreateApiKeyCommand(tenant.Id)));
        }
        await SendAsync(new UpdateTenantCommand(tenants[1].Id, Plans.Enterprise, null));
        await SendAsync(new RevokeApiKeyCommand(tenants[0].Id, keys[0].Id));
        await AcceptEventAsync(tenants[0].Id, "invoice.paid", 1); // not a tenant event: must not be replayed
        var before = (Tenants: await DumpAsync("tenants", "id"), Keys: await DumpAsync("api_keys", "id"));

        await ExecuteAsync("""
            delete from tenants where id = @deleted;
            update tenants set plan = 'pro', version = 99 where id = @changed;
            insert into tenants (id, name, plan, created_at, updated_at, version) values (gen_random_uuid(), 'ghost', 'pro', now(), now(), 1);
            delete from api_keys where id = @key;
            update api_keys set revoked_at = null;
            """, ("deleted", tenants[2].Id), ("changed", tenants[1].Id), ("key", keys[3].Id));
        (await DumpAsync("tenants", "id")).ShouldNotBe(before.Tenants);

        var rebuilt = await SendAsync(new RebuildProjectionCommand("tenants"));

        rebuilt.Name.ShouldBe("tenants");
        rebuilt.EventsReplayed.ShouldBe(3 + 6 + 1 + 1);
        (await DumpAsync("tenants", "id")).ShouldBe(before.Tenants);
        (await DumpAsync("api_keys", "id")).ShouldBe(before.Keys);
        (await CountAsync("select count(*) from events")).ShouldBe(1);
    }

    [Fact]
    public async Task Members_apps_and_grants_project_what_their_deciders_fold_and_rebuild_exactly()
    {
        var now = Now();
        var tenants = new[] { Guid.CreateVersion7(), Guid.CreateVersion7() };
        var members = new List<(Guid Tenant, Guid Id)>();
        var apps = new List<(Guid Owner, Guid Id)>();
        var grants = new List<(Guid Tenant, Guid Id)>();
        async Task<TState> DecideAsync<TCommand, TState, TEvent>(Domain.Common.Decider<TCommand, TState, TEvent> decider, string stream, Guid tenant,
            params TCommand[] commands)
        {
            var state = decider.Initial;
            var events = new List<object>();
            foreach (var command in commands)
            {
                var emitted = decider.Decide(command, state);
                state = emitted.Aggregate(state, decider.Evolve);
                events.AddRange(emitted.Cast<object>());
            }
            await AppendAsync(stream, 0, tenant, [.. events]);
            return state;
        }

        var states = new List<(string Table, Guid Id, object State)>();
        foreach (var tenant in tenants)
        {
            for (var i = 0; i < 3; i++)
            {
                var id = Guid.CreateVersion7();
                var commands = new List<MemberCommand> { new InviteMember(id, tenant, $"m{i}@example.com", i == 0 ? MemberRoles.Admin : MemberRoles.Member, $"inv-{id}", now.AddDays(7), now) };
                if (i > 0) commands.Add(new AcceptInvitation($"inv-{id}", $"pw-{id}", now.AddMinutes(1)));
                if (i > 1) commands.Add(new RemoveMember(now.AddMinutes(2)));
                states.Add(("members", id, await DecideAsync(MemberDecider.Decider, MemberDecider.StreamId(id), tenant, [.. commands])));
                members.Add((tenant, id));
            }
            var appId = Guid.CreateVersion7();
            states.Add(("oauth_apps", appId, await DecideAsync(AppDecider.Decider, AppDecider.StreamId(appId), tenant,
                new RegisterApp(appId, tenant, $"app_{appId:N}", "App", "Does things.", null, null, ["https://a.example/s.png"], ["https://a.example/cb"],
                    ["events:read", "tenant:read"], ClientTypes.Confidential, "h1", [tenants[0], tenants[1]], now),
                new UpdateApp(null, null, "https://a.example", null, [], ["https://a.example/cb", "http://127.0.0.1:9/cb"], now),
                new RotateAppSecret("h2", now), new SubmitApp(now), new RejectApp("Not yet.", now), new SubmitApp(now), new ApproveApp(now))));
            apps.Add((tenant, appId));
        }
        foreach (var (tenant, member) in members.Where(m => m.Id != members[0].Id))
        {
            var grantId = Guid.CreateVersion7();
            var app = apps[members.IndexOf((tenant, member)) % 2].Id;
            var commands = new List<GrantCommand> { new GrantConsent(grantId, tenant, app, member, ["events:read"], now) };
            if (grants.Count % 2 == 1) commands.Add(new RevokeGrant(GrantRevocationReasons.MemberRemoved, now.AddMinutes(3)));
            states.Add(("oauth_grants", grantId, await DecideAsync(GrantDecider.Decider, GrantDecider.StreamId(grantId), tenant, [.. commands])));
            grants.Add((tenant, grantId));
        }
        var clientCredentials = Guid.CreateVersion7();
        states.Add(("oauth_grants", clientCredentials, await DecideAsync(GrantDecider.Decider, GrantDecider.StreamId(clientCredentials), tenants[1],
            new GrantClientCredentials(clientCredentials, tenants[1], apps[0].Id, ["tenant:read"], now))));

        // Each row holds what the decider's Evolve folded from the same events.
        foreach (var (table, id, state) in states)
        {
            var row = System.Text.Json.JsonDocument.Parse(await ScalarTextAsync($"select to_jsonb(t)::text from {table} t where id = @id", id)).RootElement;
            switch (state)
            {
                case MemberState m:
                    (row.GetProperty("tenant_id").GetGuid(), row.GetProperty("email").GetString(), row.GetProperty("role").GetString(), row.GetProperty("status").GetString())
                        .ShouldBe((m.TenantId, m.Email, m.Role, m.Status));
                    Text(row, "password_hash").ShouldBe(m.PasswordHash);
                    Text(row, "invitation_hash").ShouldBe(m.InvitationHash);
                    Time(row, "invitation_expires_at").ShouldBe(m.InvitationExpiresAt);
                    Time(row, "joined_at").ShouldBe(m.JoinedAt);
                    Time(row, "removed_at").ShouldBe(m.RemovedAt);
                    break;
                case AppState a:
                    (row.GetProperty("owner_tenant_id").GetGuid(), row.GetProperty("client_id").GetString(), Text(row, "homepage_url"), Text(row, "client_secret_hash"))
                        .ShouldBe((a.OwnerTenantId, a.ClientId, a.HomepageUrl, a.ClientSecretHash));
                    (row.GetProperty("visibility").GetString(), row.GetProperty("review_status").GetString(), Text(row, "review_reason"))
                        .ShouldBe((a.Visibility, a.ReviewStatus, a.ReviewReason));
                    Strings(row, "redirect_uris").ShouldBe(a.RedirectUris);
                    Strings(row, "screenshot_urls").ShouldBe(a.ScreenshotUrls);
                    Strings(row, "scopes").ShouldBe(a.Scopes);
                    row.GetProperty("allowed_tenant_ids").EnumerateArray().Select(t => t.GetGuid()).ShouldBe(a.AllowedTenantIds);
                    break;
                case GrantState g:
                    (row.GetProperty("tenant_id").GetGuid(), row.GetProperty("app_id").GetGuid(), row.GetProperty("grant_type").GetString(), Text(row, "revoke_reason"))
                        .ShouldBe((g.TenantId, g.AppId, g.GrantType, g.RevokeReason));
                    (row.GetProperty("member_id").ValueKind == System.Text.Json.JsonValueKind.Null ? (Guid?)null : row.GetProperty("member_id").GetGuid()).ShouldBe(g.MemberId);
                    Strings(row, "scopes").ShouldBe(g.Scopes);
                    Time(row, "revoked_at").ShouldBe(g.RevokedAt);
                    break;
            }
        }

        var before = (Members: await DumpAsync("members", "id"), Apps: await DumpAsync("oauth_apps", "id"), Grants: await DumpAsync("oauth_grants", "id"));
        await ExecuteAsync("""
            delete from members where id = @member;
            update members set status = 'active', password_hash = 'forged';
            update oauth_apps set client_secret_hash = 'forged', review_status = 'none';
            delete from oauth_grants where id = @grant;
            update oauth_grants set revoked_at = null, scopes = '{members:write}';
            insert into oauth_grants (id, tenant_id, member_id, app_id, scopes, created_at) values (gen_random_uuid(), @tenant, @ghost, @app, '{events:write}', now());
            """, ("member", members[1].Id), ("grant", grants[0].Id), ("tenant", tenants[0]), ("ghost", Guid.CreateVersion7()), ("app", apps[0].Id));

        (await Rebuilder().RebuildAsync("members", CancellationToken.None)).ShouldBe(6 + 4 + 2);
        (await Rebuilder().RebuildAsync("oauth_apps", CancellationToken.None)).ShouldBe(2 * 8);
        (await Rebuilder().RebuildAsync("oauth_grants", CancellationToken.None)).ShouldBe(grants.Count + grants.Count / 2 + 1);

        (await DumpAsync("members", "id")).ShouldBe(before.Members);
        (await DumpAsync("oauth_apps", "id")).ShouldBe(before.Apps);
        (await DumpAsync("oauth_grants", "id")).ShouldBe(before.Grants);
    }

    private static string? Text(System.Text.Json.JsonElement row, string column) =>
        row.GetProperty(column).ValueKind == System.Text.Json.JsonValueKind.Null ? null : row.GetProperty(column).GetString();

    private static DateTimeOffset? Time(System.Text.Json.JsonElement row, string column) =>
        row.GetProperty(column).ValueKind == System.Text.Json.JsonValueKind.Null ? null : row.GetProperty(column).GetDateTimeOffset();

    private static List<string> Strings(System.Text.Json.JsonElement row, string column) => [.. row.GetProperty(column).EnumerateArray().Select(e => e.GetString()!)];

    private async Task<string> ScalarTextAsync(string sql, Guid id)
    {
        await using var dataSource = Npgsql.NpgsqlDataSource.Create(ConnectionString);
        await using var command = dataSource.CreateCommand(sql);
        command.Parameters.AddWithValue("id", id);
        return (string)(await command.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task Rebuilding_events_over_a_large_log_restores_every_row()
    {
        const int accepted = 2_000;
        const int dispatched = 700;
        var tenants = new[] { Guid.CreateVersion7(), Guid.CreateVersion7() };
        var types = new[] { "invoice.paid", "user.joined", "entity.created" };
        var eventIds = new Guid[accepted];
        await Parallel.ForEachAsync(Enumerable.Range(0, accepted), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
        {
            var id = eventIds[i] = Guid.CreateVersion7();
            var tenantId = tenants[i % 2];
            await AppendAsync(IngestedEventDecider.StreamId(id), 0, tenantId, new EventAccepted(id, tenantId, types[i % 3], $$"""{"n": {{i}}}""", Now()));
        });
        await Parallel.ForEachAsync(eventIds.Take(dispatched), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (id, _) =>
        {
            var tenantId = tenants[Array.IndexOf(eventIds, id) % 2];
            await AppendAsync(IngestedEventDecider.StreamId(id), 1, tenantId, new EventDispatched(id, tenantId, Now()));
        });
        var before = await DumpAsync("events", "sequence");
        (await CountAsync("select count(*) from events where status = 'dispatched'")).ShouldBe(dispatched);

        await ExecuteAsync("""
            delete from events where sequence % 3 = 0;
            update events set status = 'accepted', dispatched_at = null, data = '{}';
            """);

        var replayed = await Rebuilder().RebuildAsync("events", CancellationToken.None);

        replayed.ShouldBe(accepted + dispatched);
        (await DumpAsync("events", "sequence")).ShouldBe(before);
    }

    [Fact]
    public async Task A_rebuild_of_an_empty_log_empties_the_tables()
    {
        await ExecuteAsync("insert into events (id, tenant_id, event_type, data, timestamp, status, sequence) values (gen_random_uuid(), gen_random_uuid(), 'x', '{}', now(), 'accepted', 1)");

        (await Rebuilder().RebuildAsync("events", CancellationToken.None)).ShouldBe(0);

        (await CountAsync("select count(*) from events")).ShouldBe(0);
    }

    [Fact]
    public async Task Appends_after_a_rebuild_keep_projecting()
    {
        var tenant = await SendAsync(new CreateTenantCommand("Acme", Plans.Starter));
        await Rebuilder().RebuildAsync("tenants", CancellationToken.None);

        await SendAsync(new UpdateTenantCommand(tenant.Id, Plans.Pro, 1));

        (await CountAsync("select count(*) from tenants where id = @id and plan = 'pro' and version = 2", ("id", tenant.Id))).ShouldBe(1);
    }

    [Fact]
    public async Task Only_known_projections_can_be_rebuilt()
    {
        Rebuilder().ProjectionNames.ShouldBe(["events", "members", "notifications", "oauth_apps", "oauth_grants", "tenants", "webhook_endpoints"]);

        var error = await Should.ThrowAsync<ValidationException>(() => SendAsync(new RebuildProjectionCommand("nope")));
        error.Errors.Single().Code.ShouldBe("unknown_projection");
        await Should.ThrowAsync<ArgumentException>(() => Rebuilder().RebuildAsync("nope", CancellationToken.None));
    }

    private IProjectionRebuilder Rebuilder() => Services.GetRequiredService<IProjectionRebuilder>();
}
