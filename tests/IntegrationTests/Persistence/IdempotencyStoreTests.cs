using Integrations.Application.Common.Exceptions;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Tenants.Commands.CreateTenant;
using Integrations.Domain.Tenants;
using Microsoft.Extensions.DependencyInjection;
using Shouldly;
using Xunit;

namespace Integrations.IntegrationTests.Persistence;

public sealed class IdempotencyStoreTests : PersistenceTestBase
{
    [Fact]
    public async Task A_saved_record_is_found_in_its_scope_only()
    {
        var record = new IdempotencyRecord("tenant-a", "key-1", "hash-1", """{"id":1}""", Now());

        await InUnitOfWorkAsync(store => store.SaveAsync(record, CancellationToken.None));

        (await FindAsync("tenant-a", "key-1")).ShouldBe(record);
        (await FindAsync("tenant-b", "key-1")).ShouldBeNull();
        (await FindAsync("tenant-a", "key-2")).ShouldBeNull();
    }

    [Fact]
    public async Task Saving_a_key_that_was_already_committed_is_a_race()
    {
        await InUnitOfWorkAsync(store => store.SaveAsync(new IdempotencyRecord("s", "k", "h1", "1", Now()), CancellationToken.None));

        await Should.ThrowAsync<IdempotencyRaceException>(
            () => InUnitOfWorkAsync(store => store.SaveAsync(new IdempotencyRecord("s", "k", "h2", "2", Now()), CancellationToken.None)));

        (await FindAsync("s", "k"))!.RequestHash.ShouldBe("h1");
    }

    [Fact]
    public async Task A_concurrent_save_of_the_same_key_waits_for_the_first_and_then_loses()
    {
        var firstSaved = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var releaseFirst = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = InUnitOfWorkAsync(async store =>
        {
            await store.SaveAsync(new IdempotencyRecord("s", "k", "first", "1", Now()), CancellationToken.None);
            firstSaved.SetResult();
            await releaseFirst.Task;
        });
        await firstSaved.Task;

        var second = InUnitOfWorkAsync(store => store.SaveAsync(new IdempotencyRecord("s", "k", "second", "2", Now()), CancellationToken.None));
        (await Task.WhenAny(second, Task.Delay(300))).ShouldNotBe(second);
        releaseFirst.SetResult();
        await first;

        await Should.ThrowAsync<IdempotencyRaceException>(() => second);
        (await FindAsync("s", "k"))!.RequestHash.ShouldBe("first");
    }

    [Fact]
    public async Task An_expired_record_is_ignored_and_its_key_can_be_used_again()
    {
        await ExecuteAsync("""
            insert into idempotency_keys (scope, key, request_hash, response_json, created_at, expires_at)
            select 's', k, 'old', '{}', now() - interval '25 hours', now() - interval '1 hour' from unnest(array['k', 'other-1', 'other-2']) k
            """);

        (await FindAsync("s", "k")).ShouldBeNull();
        await InUnitOfWorkAsync(store => store.SaveAsync(new IdempotencyRecord("s", "k", "new", "{}", Now()), CancellationToken.None));

        (await FindAsync("s", "k"))!.RequestHash.ShouldBe("new");
        (await CountAsync("select count(*) from idempotency_keys where expires_at <= now()")).ShouldBe(0);
        (await CountAsync("select count(*) from idempotency_keys where scope = 's' and key = 'k' and expires_at > now() + interval '23 hours'")).ShouldBe(1);
    }

    [Fact]
    public async Task A_repeated_idempotent_command_replays_its_first_result()
    {
        var first = await SendAsync(new CreateTenantCommand("Acme", Plans.Pro, IdempotencyKey: "create-acme"));

        var repeat = await SendAsync(new CreateTenantCommand("Acme", Plans.Pro, IdempotencyKey: "create-acme"));

        repeat.ShouldBe(first);
        (await CountAsync("select count(*) from tenants")).ShouldBe(1);
        await Should.ThrowAsync<IdempotencyKeyReusedException>(() => SendAsync(new CreateTenantCommand("Other", Plans.Pro, IdempotencyKey: "create-acme")));
    }

    [Fact]
    public async Task Concurrent_idempotent_commands_with_one_key_create_one_tenant()
    {
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var requests = Enumerable.Range(0, 5).Select(_ => Task.Run(async () =>
        {
            await start.Task;
            return await SendAsync(new CreateTenantCommand("Acme", Plans.Pro, IdempotencyKey: "same-key"));
        })).ToList();
        start.SetResult();

        var results = await Task.WhenAll(requests);

        results.Select(r => r.Id).Distinct().Count().ShouldBe(1);
        (await CountAsync("select count(*) from tenants")).ShouldBe(1);
        (await CountAsync("select count(distinct stream_id) from marten.mt_events")).ShouldBe(1);
    }

    private Task InUnitOfWorkAsync(Func<IIdempotencyStore, Task> work) =>
        InScopeAsync(provider => provider.GetRequiredService<IUnitOfWork>().ExecuteAsync(async _ =>
        {
            await work(provider.GetRequiredService<IIdempotencyStore>());
            return true;
        }, CancellationToken.None));

    private Task<IdempotencyRecord?> FindAsync(string scope, string key) =>
        InScopeAsync(provider => provider.GetRequiredService<IIdempotencyStore>().FindAsync(scope, key, CancellationToken.None));
}
