using Integrations.Application.ApiKeys.Commands.CreateApiKey;
using Integrations.Application.ApiKeys.Commands.RevokeApiKey;
using Integrations.Application.Common.Exceptions;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Projections.Commands.RebuildProjection;
using Integrations.Application.Tenants.Commands.CreateTenant;
using Integrations.Application.Tenants.Commands.UpdateTenant;
using Integrations.Domain.Events;
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
        Rebuilder().ProjectionNames.ShouldBe(["events", "members", "oauth_apps", "oauth_grants", "tenants", "webhook_endpoints"]);

        var error = await Should.ThrowAsync<ValidationException>(() => SendAsync(new RebuildProjectionCommand("nope")));
        error.Errors.Single().Code.ShouldBe("unknown_projection");
        await Should.ThrowAsync<ArgumentException>(() => Rebuilder().RebuildAsync("nope", CancellationToken.None));
    }

    private IProjectionRebuilder Rebuilder() => Services.GetRequiredService<IProjectionRebuilder>();
}
