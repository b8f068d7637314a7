using Integrations.Application.Common.Exceptions;
using Integrations.Application.Common.Interfaces;
using Integrations.Domain.Events;
using Integrations.Domain.Tenants;
using Integrations.Infrastructure;
using Integrations.Infrastructure.Persistence.EventStore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Shouldly;
using Xunit;

namespace Integrations.IntegrationTests.Persistence;

public sealed class EventStoreTests : PersistenceTestBase
{
    /// <summary>Our events: Marten also writes tombstones (stream mt_tombstone) for the sequence numbers a failed append had taken.</summary>
    private const string CountEvents = "select count(*) from marten.mt_events where stream_id <> 'mt_tombstone'";

    private Task<string> EventLogAsync() => DumpAsync("(select * from marten.mt_events where stream_id <> 'mt_tombstone')", "seq_id");

    [Fact]
    public async Task Append_then_read_back_keeps_order_metadata_and_global_sequence()
    {
        var tenantId = Guid.CreateVersion7();
        var streamId = TenantDecider.StreamId(tenantId);
        var created = NewTenant(tenantId);
        var issued = new ApiKeyIssued(tenantId, Guid.CreateVersion7(), "ik_abcdefgh", "hash-" + tenantId, Now());

        var first = await InScopeAsync(async provider =>
        {
            var context = provider.GetRequiredService<RequestContext>();
            context.CorrelationId = "corr-1";
            context.CausationId = "cause-1";
            context.Actor = "admin:alice";
            return await provider.GetRequiredService<IEventStore>().AppendOneAsync(streamId, IEventStore.NoStream, [created, issued], tenantId, CancellationToken.None);
        });
        var second = await AppendAsync(streamId, 2, tenantId, new TenantPlanChanged(tenantId, Plans.Pro, Now()));

        first.NewVersion.ShouldBe(2);
        first.GlobalSequences.Count.ShouldBe(2);
        first.GlobalSequences[1].ShouldBeGreaterThan(first.GlobalSequences[0]);
        second.NewVersion.ShouldBe(3);
        second.GlobalSequences.Single().ShouldBeGreaterThan(first.GlobalSequences[1]);

        var events = await ReadStreamAsync(streamId, tenantId);
        events.Select(e => e.StreamVersion).ShouldBe([1L, 2L, 3L]);
        events.Select(e => e.GlobalSequence).ShouldBe([.. first.GlobalSequences, .. second.GlobalSequences]);
        events.Select(e => e.EventType).ShouldBe(["TenantCreated", "ApiKeyIssued", "TenantPlanChanged"]);
        events[0].Data.ShouldBe(created);
        events[1].Data.ShouldBe(issued);
        events.ShouldAllBe(e => e.StreamId == streamId);
        events.Select(e => e.EventId).Distinct().Count().ShouldBe(3);
        events[0].Metadata.ShouldBe(new EventMetadata(tenantId, "corr-1", "cause-1", "admin:alice"));
        events[2].Metadata.TenantId.ShouldBe(tenantId);
        events[2].Metadata.Actor.ShouldBe("system");

        // The stored forms are part of the contract: snake_case JSON under the stable name, the tenant and the metadata beside every event.
        (await CountAsync("""
            select count(*) from marten.mt_events
            where stream_id = @s and correlation_id = 'corr-1' and causation_id = 'cause-1' and headers->>'actor' = 'admin:alice'
              and data->>'tenant_id' = @t and tenant_id = @t and type in ('TenantCreated', 'ApiKeyIssued')
            """, ("s", streamId), ("t", tenantId.ToString()))).ShouldBe(2);
        (await CountAsync("select count(*) from marten.mt_streams where id = @s and tenant_id = @t and version = 3",
            ("s", streamId), ("t", tenantId.ToString()))).ShouldBe(1);
    }

    [Fact]
    public async Task A_stream_reads_only_under_its_own_tenant()
    {
        var tenantId = Guid.CreateVersion7();
        var streamId = TenantDecider.StreamId(tenantId);
        await AppendAsync(streamId, 0, tenantId, NewTenant(tenantId));

        (await ReadStreamAsync(streamId, tenantId)).Count.ShouldBe(1);
        (await ReadStreamAsync(streamId, Guid.CreateVersion7())).ShouldBeEmpty("another tenant's session does not see it");
        (await ReadStreamAsync(streamId, null)).ShouldBeEmpty("nor does the platform's");
    }

    [Fact]
    public async Task Reading_a_stream_that_does_not_exist_returns_nothing()
    {
        (await ReadStreamAsync("tenant-missing", Guid.NewGuid())).ShouldBeEmpty();
    }

    [Theory]
    [InlineData(1L, 2L)] // stale version
    [InlineData(0L, 2L)] // creating a stream that exists
    [InlineData(5L, 2L)] // a version the stream never reached
    public async Task Append_at_a_wrong_expected_version_throws_a_typed_conflict_and_writes_nothing(long expected, long actual)
    {
        var tenantId = Guid.CreateVersion7();
        var streamId = TenantDecider.StreamId(tenantId);
        await AppendAsync(streamId, 0, tenantId, NewTenant(tenantId), new TenantPlanChanged(tenantId, Plans.Pro, Now()));
        var before = await EventLogAsync();

        var conflict = await Should.ThrowAsync<ConcurrencyConflictException>(
            () => AppendAsync(streamId, expected, tenantId, new TenantPlanChanged(tenantId, Plans.Enterprise, Now())));

        conflict.StreamId.ShouldBe(streamId);
        conflict.ExpectedVersion.ShouldBe(expected);
        conflict.Retryable.ShouldBeTrue();
        (await EventLogAsync()).ShouldBe(before);
        (await ReadStreamAsync(streamId, tenantId)).Count.ShouldBe((int)actual);
        (await CountAsync("select count(*) from tenants where plan = 'pro' and version = 2")).ShouldBe(1);
    }

    [Fact]
    public async Task Append_to_a_missing_stream_at_a_nonzero_version_conflicts_with_version_zero()
    {
        var conflict = await Should.ThrowAsync<ConcurrencyConflictException>(
            () => AppendAsync("tenant-nothing-here", 3, null, NewTenant(Guid.CreateVersion7())));

        conflict.Retryable.ShouldBeTrue();
        (await CountAsync(CountEvents)).ShouldBe(0);
    }

    [Theory]
    [InlineData(0L)] // racing to create the stream
    [InlineData(1L)] // racing to extend it
    public async Task Concurrent_appends_at_the_same_expected_version_let_exactly_one_win(long expected)
    {
        const int writers = 10;
        var tenantId = Guid.CreateVersion7();
        var streamId = TenantDecider.StreamId(tenantId);
        if (expected == 1) await AppendAsync(streamId, 0, tenantId, NewTenant(tenantId));

        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var attempts = Enumerable.Range(0, writers).Select(i => Task.Run(async () =>
        {
            await start.Task;
            object @event = expected == 0 ? NewTenant(tenantId) : new TenantPlanChanged(tenantId, i % 2 == 0 ? Plans.Pro : Plans.Enterprise, Now());
            try
            {
                await AppendAsync(streamId, expected, tenantId, @event);
                return (Exception?)null;
            }
            catch (Exception ex)
            {
                return ex;
            }
        })).ToList();
        start.SetResult();
        var outcomes = await Task.WhenAll(attempts);

        outcomes.Count(o => o is null).ShouldBe(1);
        outcomes.Where(o => o is not null).ShouldAllBe(o => o is ConcurrencyConflictException);
        outcomes.OfType<ConcurrencyConflictException>().ShouldAllBe(c => c.Retryable);
        (await CountAsync("select count(*) from marten.mt_events where stream_id = @s", ("s", streamId))).ShouldBe(expected + 1);
        (await CountAsync("select max(version) from marten.mt_events where stream_id = @s", ("s", streamId))).ShouldBe(expected + 1);
        (await CountAsync("select version from tenants where id = @t", ("t", tenantId))).ShouldBe(expected + 1);
    }

    [Fact]
    public async Task A_batch_that_creates_a_stream_someone_else_created_conflicts_retryably_and_writes_nothing()
    {
        var existing = Guid.CreateVersion7();
        await AppendAsync(TenantDecider.StreamId(existing), 0, existing, NewTenant(existing));
        var fresh = Guid.CreateVersion7();
        var before = await EventLogAsync();

        var conflict = await Should.ThrowAsync<ConcurrencyConflictException>(() => InScopeAsync(provider =>
            provider.GetRequiredService<IEventStore>().AppendAsync(
            [
                new StreamAppend(TenantDecider.StreamId(fresh), IEventStore.NoStream, [NewTenant(fresh)], fresh),
                new StreamAppend(TenantDecider.StreamId(existing), IEventStore.NoStream, [NewTenant(existing)], existing),
            ], CancellationToken.None)));

        conflict.Retryable.ShouldBeTrue("the batch is decided again from a fresh read");
        (await EventLogAsync()).ShouldBe(before);
    }

    [Fact]
    public async Task A_conflicting_append_caught_inside_a_unit_of_work_fails_the_unit_of_work_at_commit()
    {
        var tenantId = Guid.CreateVersion7();
        var streamId = TenantDecider.StreamId(tenantId);
        await AppendAsync(streamId, 0, tenantId, NewTenant(tenantId));
        await AppendAsync(streamId, 1, tenantId, new TenantPlanChanged(tenantId, Plans.Pro, Now()));

        // Two events at a stale version. The caller catches the conflict and carries on: the commit throws it again, so the
        // retry loop decides the whole unit of work afresh, and nothing of it is stored (PostgreSQL would have turned the
        // COMMIT of the failed transaction into a silent rollback).
        var thrownAtCommit = await Should.ThrowAsync<ConcurrencyConflictException>(() => InScopeAsync(provider => provider.GetRequiredService<IUnitOfWork>().ExecuteAsync(async ct =>
        {
            var conflict = await Should.ThrowAsync<ConcurrencyConflictException>(() => provider.GetRequiredService<IEventStore>().AppendOneAsync(streamId, 1,
                [new TenantPlanChanged(tenantId, Plans.Enterprise, Now()), new TenantPlanChanged(tenantId, Plans.Starter, Now())], tenantId, ct));
            conflict.Retryable.ShouldBeTrue();
            // The unit of work goes on and commits what else it wrote.
            var other = Guid.CreateVersion7();
            await provider.GetRequiredService<IEventStore>().AppendOneAsync(TenantDecider.StreamId(other), 0, [NewTenant(other)], other, ct);
            return true;
        }, CancellationToken.None)));

        thrownAtCommit.Retryable.ShouldBeTrue();
        (await CountAsync("select max(version) from marten.mt_events where stream_id = @s", ("s", streamId))).ShouldBe(2);
        (await CountAsync("select count(*) from tenants")).ShouldBe(1);
        (await CountAsync("select count(*) from tenants where id = @t and plan = 'pro' and version = 2", ("t", tenantId))).ShouldBe(1);
    }

    [Theory]
    [InlineData(1L)] // stale: someone appended since
    [InlineData(3L)] // a version the stream never reached
    public async Task A_batch_that_extends_a_stream_at_a_wrong_version_conflicts_retryably_and_writes_nothing(long expected)
    {
        var existing = Guid.CreateVersion7();
        await AppendAsync(TenantDecider.StreamId(existing), 0, existing, NewTenant(existing), new TenantPlanChanged(existing, Plans.Pro, Now()));
        var fresh = Guid.CreateVersion7();
        var before = await EventLogAsync();

        var conflict = await Should.ThrowAsync<ConcurrencyConflictException>(() => InScopeAsync(provider =>
            provider.GetRequiredService<IEventStore>().AppendAsync(
            [
                new StreamAppend(TenantDecider.StreamId(fresh), IEventStore.NoStream, [NewTenant(fresh)], fresh),
                new StreamAppend(TenantDecider.StreamId(existing), expected, [new TenantPlanChanged(existing, Plans.Enterprise, Now())], existing),
            ], CancellationToken.None)));

        conflict.Retryable.ShouldBeTrue("the batch is decided again from a fresh read");
        (await EventLogAsync()).ShouldBe(before);
        (await CountAsync("select count(*) from tenants where id = @t", ("t", fresh))).ShouldBe(0);
    }

    [Fact]
    public async Task A_batch_at_the_right_versions_extends_and_creates_streams_together()
    {
        var existing = Guid.CreateVersion7();
        await AppendAsync(TenantDecider.StreamId(existing), 0, existing, NewTenant(existing));
        var fresh = Guid.CreateVersion7();

        await InScopeAsync(provider => provider.GetRequiredService<IEventStore>().AppendAsync(
        [
            new StreamAppend(TenantDecider.StreamId(existing), 1,
                [new TenantPlanChanged(existing, Plans.Pro, Now()), new TenantPlanChanged(existing, Plans.Enterprise, Now())], existing),
            new StreamAppend(TenantDecider.StreamId(fresh), IEventStore.NoStream, [NewTenant(fresh)], fresh),
        ], CancellationToken.None));

        (await CountAsync("select max(version) from marten.mt_events where stream_id = @s", ("s", TenantDecider.StreamId(existing)))).ShouldBe(3);
        (await CountAsync("select max(version) from marten.mt_events where stream_id = @s", ("s", TenantDecider.StreamId(fresh)))).ShouldBe(1);
        (await CountAsync("select count(*) from tenants where id = @t and plan = 'enterprise' and version = 3", ("t", existing))).ShouldBe(1);
    }

    [Fact]
    public async Task An_append_that_fails_midway_leaves_no_events_and_no_projection_rows()
    {
        var existing = Guid.CreateVersion7();
        await AppendAsync(TenantDecider.StreamId(existing), 0, existing, NewTenant(existing),
            new ApiKeyIssued(existing, Guid.CreateVersion7(), "ik_existing", "taken-hash", Now()));
        var before = (Events: await EventLogAsync(), Tenants: await DumpAsync("tenants", "id"), Keys: await DumpAsync("api_keys", "id"));

        // The second event's projection hits api_keys.key_hash's unique index after the events and the tenant row were written.
        var tenantId = Guid.CreateVersion7();
        var streamId = TenantDecider.StreamId(tenantId);
        var failure = await Should.ThrowAsync<PostgresException>(() => AppendAsync(streamId, 0, tenantId,
            NewTenant(tenantId), new ApiKeyIssued(tenantId, Guid.CreateVersion7(), "ik_duplicate", "taken-hash", Now())));

        failure.SqlState.ShouldBe(PostgresErrorCodes.UniqueViolation);
        (await EventLogAsync()).ShouldBe(before.Events);
        (await DumpAsync("tenants", "id")).ShouldBe(before.Tenants);
        (await DumpAsync("api_keys", "id")).ShouldBe(before.Keys);
    }

    [Fact]
    public async Task A_unit_of_work_that_fails_after_appending_discards_the_events_and_projection_rows()
    {
        var tenantId = Guid.CreateVersion7();

        await Should.ThrowAsync<InvalidOperationException>(() => InScopeAsync(provider =>
            provider.GetRequiredService<IUnitOfWork>().ExecuteAsync<bool>(async ct =>
            {
                await provider.GetRequiredService<IEventStore>().AppendOneAsync(TenantDecider.StreamId(tenantId), 0, [NewTenant(tenantId)], tenantId, ct);
                (await provider.GetRequiredService<ITenantReadModel>().FindAsync(tenantId, ct)).ShouldNotBeNull();
                throw new InvalidOperationException("boom after the append");
            }, CancellationToken.None)));

        (await CountAsync(CountEvents)).ShouldBe(0);
        (await CountAsync("select count(*) from tenants")).ShouldBe(0);
    }

    [Fact]
    public async Task Appends_in_one_unit_of_work_commit_together()
    {
        var tenantId = Guid.CreateVersion7();
        var eventId = Guid.CreateVersion7();

        await InScopeAsync(provider => provider.GetRequiredService<IUnitOfWork>().ExecuteAsync(async ct =>
        {
            var store = provider.GetRequiredService<IEventStore>();
            await store.AppendOneAsync(TenantDecider.StreamId(tenantId), 0, [NewTenant(tenantId)], tenantId, ct);
            return await store.AppendOneAsync(IngestedEventDecider.StreamId(eventId), 0,
                [new EventAccepted(eventId, tenantId, "invoice.paid", "{}", Now())], tenantId, ct);
        }, CancellationToken.None));

        (await CountAsync("select count(*) from marten.mt_events where tenant_id = @t", ("t", tenantId.ToString()))).ShouldBe(2);
        (await CountAsync("select count(*) from tenants where id = @t", ("t", tenantId))).ShouldBe(1);
        (await CountAsync("select count(*) from events where id = @e", ("e", eventId))).ShouldBe(1);
    }

    [Fact]
    public async Task An_unregistered_event_type_is_refused_before_anything_is_written()
    {
        var error = await Should.ThrowAsync<ArgumentException>(() => AppendAsync("tenant-x", 0, null, "not an event"));

        error.Message.ShouldContain("System.String");
        (await CountAsync(CountEvents)).ShouldBe(0);
    }

    [Fact]
    public async Task Reading_an_event_type_this_build_does_not_know_fails_with_a_clear_message()
    {
        await ExecuteAsync("""
            insert into marten.mt_streams (tenant_id, id, version) values ('*DEFAULT*', 'tenant-legacy', 1);
            insert into marten.mt_events (seq_id, id, stream_id, version, data, type, tenant_id, mt_dotnet_type)
            values (nextval('marten.mt_events_sequence'), gen_random_uuid(), 'tenant-legacy', 1, '{}', 'TenantRenamed', '*DEFAULT*',
                    'Integrations.Domain.Tenants.TenantRenamed, Integrations.Domain');
            """);

        var error = await Should.ThrowAsync<Exception>(() => ReadStreamAsync("tenant-legacy", null));

        error.Message.ShouldContain("TenantRenamed");
    }

    [Fact]
    public void The_registry_names_every_domain_event_by_its_type_name()
    {
        var registry = Services.GetRequiredService<EventTypeRegistry>();

        // Every aggregate's events are found by the scan, whatever aggregates are added later.
        var expected = typeof(TenantCreated).Assembly.GetExportedTypes()
            .Where(t => t is { IsClass: true, IsSealed: true } && t.GetInterfaces().Any(i => i.Name.EndsWith("Event", StringComparison.Ordinal) && i.Assembly == t.Assembly))
            .Select(t => t.Name);
        var names = registry.All.Select(e => e.Name).ToList();
        names.Order().ShouldBe(expected.Order());
        names.ShouldContain("TenantCreated");
        names.ShouldContain("EventDispatched");
        registry.NameOf(typeof(EventAccepted)).ShouldBe("EventAccepted");
        registry.All.Single(e => e.Name == "TenantPlanChanged").Type.ShouldBe(typeof(TenantPlanChanged));
    }

    [Fact]
    public void The_daemon_loads_for_an_async_projection_only_the_event_types_it_applies()
    {
        var entities = new Integrations.Infrastructure.Persistence.Projections.EntitiesProjection();
        entities.Lifecycle.ShouldBe(JasperFx.Events.Projections.ProjectionLifecycle.Async);

        var options = MartenSetup.Options(Services.GetRequiredService<EventTypeRegistry>(), [entities]);

        // Unfiltered, the daemon would read every delivery event of the log to find the few it applies.
        var source = options.Projections.All.Single(s => s.Name == entities.Name);
        var filter = source.ShouldBeAssignableTo<JasperFx.Events.Projections.EventFilterable>()!;
        filter.IncludedEventTypes.ShouldBe(entities.Handles, ignoreOrder: true);
    }
}
