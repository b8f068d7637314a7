using Integrations.Application;
using Integrations.Application.Common.Interfaces;
using Integrations.Domain.Events;
using Integrations.Domain.Tenants;
using Integrations.Infrastructure;
using Integrations.Infrastructure.Persistence;
using Integrations.IntegrationTests.Infrastructure;
using MediatR;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Xunit;

namespace Integrations.IntegrationTests.Persistence;

/// <summary>
/// Each test gets a fresh migrated database and the real Application + Persistence services
/// (no Kafka: ports that need the outbox are not exercised here).
/// </summary>
public abstract class PersistenceTestBase : IAsyncLifetime
{
    private ServiceProvider? _services;

    protected string ConnectionString { get; private set; } = "";

    protected IServiceProvider Services => _services ?? throw new InvalidOperationException("Not initialized.");

    public async Task InitializeAsync()
    {
        ConnectionString = await TestEnvironment.CreateMigratedDatabaseAsync();
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["ConnectionStrings:Postgres"] = ConnectionString,
                ["Secrets:EncryptionKey"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
            })
            .Build();
        var services = new ServiceCollection()
            .AddLogging()
            .AddApplication()
            .AddPersistence(configuration)
            .AddSingleton<IClock, SystemClock>();
        // No ValidateOnBuild: handlers that need the outbox are registered but its implementation is not.
        _services = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
    }

    public async Task DisposeAsync()
    {
        if (_services is not null) await _services.DisposeAsync();
    }

    protected async Task<T> InScopeAsync<T>(Func<IServiceProvider, Task<T>> work)
    {
        await using var scope = Services.CreateAsyncScope();
        return await work(scope.ServiceProvider);
    }

    protected Task<T> SendAsync<T>(IRequest<T> request) =>
        InScopeAsync(provider => provider.GetRequiredService<IMediator>().Send(request));

    protected Task<AppendResult> AppendAsync(string streamId, long expectedVersion, Guid? tenantId, params object[] events) =>
        InScopeAsync(provider => provider.GetRequiredService<IEventStore>().AppendOneAsync(streamId, expectedVersion, events, tenantId, CancellationToken.None));

    protected Task<IReadOnlyList<StoredEvent>> ReadStreamAsync(string streamId, Guid? tenantId) =>
        InScopeAsync(async provider => (await provider.GetRequiredService<IEventStore>().ReadStreamsAsync([new StreamKey(streamId, tenantId)], CancellationToken.None))[streamId]);

    /// <summary>Accepts an ingested event straight through the event store (the path without the outbox).</summary>
    protected async Task<AppendResult> AcceptEventAsync(Guid tenantId, string eventType, int n)
    {
        var id = Guid.CreateVersion7();
        return await AppendAsync(IngestedEventDecider.StreamId(id), 0, tenantId,
            new EventAccepted(id, tenantId, eventType, $$"""{"n": {{n}}}""", Now()));
    }

    protected static TenantCreated NewTenant(Guid tenantId, string plan = Plans.Starter) => new(tenantId, $"Tenant {tenantId:N}", plan, Now());

    protected static DateTimeOffset Now() => new SystemClock().UtcNow;

    protected async Task<long> CountAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var dataSource = NpgsqlDataSource.Create(ConnectionString);
        await using var command = dataSource.CreateCommand(sql);
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }

    protected async Task ExecuteAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var dataSource = NpgsqlDataSource.Create(ConnectionString);
        await using var command = dataSource.CreateCommand(sql);
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>The whole table as one JSON text, rows in a fixed order: equal dumps mean equal tables.</summary>
    protected async Task<string> DumpAsync(string table, string orderBy)
    {
        await using var dataSource = NpgsqlDataSource.Create(ConnectionString);
        await using var command = dataSource.CreateCommand(
            $"select coalesce(jsonb_agg(to_jsonb(t) order by {orderBy}), '[]'::jsonb)::text from {table} t");
        return (string)(await command.ExecuteScalarAsync())!;
    }
}

public static class EventStoreTestExtensions
{
    /// <summary>One stream's append, as the batch of one the store takes.</summary>
    public static async Task<AppendResult> AppendOneAsync(this IEventStore store, string streamId, long expectedVersion, IReadOnlyList<object> events,
        Guid? tenantId, CancellationToken ct)
    {
        var stored = await store.AppendAsync([new StreamAppend(streamId, expectedVersion, events, tenantId)], ct);
        return new AppendResult(stored[^1].StreamVersion, stored.Select(e => e.GlobalSequence).ToList());
    }
}
