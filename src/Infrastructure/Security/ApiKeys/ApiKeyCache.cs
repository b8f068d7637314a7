using System.Collections.Concurrent;
using Integrations.Application.Common.Interfaces;
using Integrations.Infrastructure.Persistence;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Integrations.Infrastructure.Security.ApiKeys;

/// <summary>
/// Who an API key is (its key id, tenant and plan), kept in memory so a request does not need a
/// database round trip to authenticate. Only keys found active are kept, by their SHA-256. Any
/// change to API keys or to a tenant's plan empties the whole cache: in this process at once after
/// the commit (<see cref="ICredentialChanges"/>), in every other through the NOTIFY that triggers on
/// <c>api_keys</c> and <c>tenants</c> send with the commit (migration 0050), which also covers
/// projection rebuilds and any other writer. Changes are rare; a cleared cache costs one query per key.
/// <para>
/// A lookup that raced with a change is not kept (the generation moved while it read). The listener
/// empties the cache whenever it (re)connects, and an entry is never used after
/// <see cref="MaxAge"/>: a change announced while the listening connection was down waits at most that long.
/// </para>
/// </summary>
public sealed class ApiKeyCache
{
    public const string Channel = "api_key_changes";
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(60);
    private const int MaxEntries = 50_000;

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private long _generation;

    private sealed record Entry(ApiKeyIdentity Identity, long Generation, long CachedAt);

    public int Count => _entries.Count;

    public async Task<ApiKeyIdentity?> FindActiveAsync(string keyHash, Func<string, CancellationToken, Task<ApiKeyIdentity?>> lookup, CancellationToken ct)
    {
        var generation = Interlocked.Read(ref _generation);
        var now = Environment.TickCount64;
        if (_entries.TryGetValue(keyHash, out var entry) && entry.Generation == generation && now - entry.CachedAt < (long)MaxAge.TotalMilliseconds)
            return entry.Identity;
        var identity = await lookup(keyHash, ct);
        if (identity is null)
        {
            _entries.TryRemove(keyHash, out _);
            return null;
        }
        if (_entries.Count >= MaxEntries) _entries.Clear();
        // Kept only if nothing changed while it was read: otherwise the next request reads again.
        if (Interlocked.Read(ref _generation) == generation) _entries[keyHash] = new Entry(identity, generation, now);
        return identity;
    }

    /// <summary>Forgets every key: the next request of each is looked up again.</summary>
    public void Clear()
    {
        Interlocked.Increment(ref _generation);
        _entries.Clear();
    }
}

/// <summary>Empties the <see cref="ApiKeyCache"/> on every NOTIFY of its channel (and on every reconnection).</summary>
public sealed class ApiKeyCacheInvalidation(ApiKeyCache cache, NpgsqlDataSource dataSource, PostgresNotifier notifier, ILogger<ApiKeyCacheInvalidation> logger)
    : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        ChannelListener.ListenAsync(dataSource, notifier, ApiKeyCache.Channel, cache.Clear, "API key changes", ApiKeyCache.MaxAge, logger, stoppingToken);
}

/// <summary>The process that changes a key or a plan forgets its cached keys as soon as the change commits.</summary>
public sealed class CredentialChanges(DbSession session) : ICredentialChanges
{
    public void AnnounceAfterCommit() => session.NotifyAfterCommit(ApiKeyCache.Channel);
}
