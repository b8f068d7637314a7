using Integrations.IntegrationTests.Infrastructure;
using Shouldly;

namespace Integrations.IntegrationTests.Messaging;

/// <summary>The relay's leadership is a PostgreSQL session: when the session dies, leadership is taken again.</summary>
[Collection(MessagingCollection.Name)]
public sealed class RelayLeadershipTests : IAsyncLifetime
{
    // The relay is the only holder of an advisory lock once migrations are done.
    private const string LeaderSession = """
        select coalesce(max(pid), 0) from pg_locks
        where locktype = 'advisory' and granted and database = (select oid from pg_database where datname = current_database())
        """;

    private MessagingHarness _harness = null!;

    public async Task InitializeAsync() => _harness = await MessagingHarness.StartAsync();

    public async Task DisposeAsync() => await _harness.DisposeAsync();

    [Fact]
    public async Task A_relay_whose_database_session_is_killed_takes_leadership_again_and_keeps_publishing()
    {
        var worker = await _harness.StartWorkerAsync();
        await MessagingHarness.WaitUntilActiveAsync(worker);
        var tenant = await _harness.CreateTenantAsync();
        var before = await _harness.IngestAsync(tenant, 1);
        await _harness.WaitUntilDispatchedAsync([before], TimeSpan.FromSeconds(30));
        var session = await _harness.ScalarAsync<int>(LeaderSession);
        session.ShouldBeGreaterThan(0);

        (await _harness.ScalarAsync<bool>("select pg_terminate_backend(@pid)", ("pid", session))).ShouldBeTrue();

        await Eventually.HoldsAsync(async () => await _harness.ScalarAsync<int>(LeaderSession) is var now && now != 0 && now != session
                && MessagingHarness.Relay(worker).IsLeader,
            TimeSpan.FromSeconds(15), "the relay took the lock again on a new session");
        var after = await _harness.IngestAsync(tenant, 2);
        await _harness.WaitUntilDispatchedAsync([after], TimeSpan.FromSeconds(30));
    }
}
