using System.Collections.Concurrent;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Connections;
using Microsoft.Extensions.DependencyInjection;

namespace Integrations.Application.Connectors.Pipelines.Calls;

/// <summary>
/// A connection's credentials as <see cref="IConnectionAccess"/> gave them, reused for
/// Connectors:AccessCacheDuration so that a busy connection's calls do not each read the connection
/// and decrypt its vault record. A 401 renews them at once (<see cref="RenewAsync"/>), and every
/// process keeps its own copy in memory only.
/// </summary>
public sealed class ConnectionAccessCache(IWorkScopeFactory scopes, ConnectorsOptions options, IClock clock)
{
    public const string Actor = "worker:connector-calls";

    private readonly ConcurrentDictionary<Guid, (ConnectionAccess Access, DateTimeOffset FetchedAt)> _cache = new();

    /// <exception cref="ConnectionUnusableException">The connection cannot be used now.</exception>
    /// <exception cref="Common.Exceptions.NotFoundException">The connection is gone.</exception>
    public async Task<ConnectionAccess> GetAsync(Guid tenantId, Guid connectionId, CancellationToken ct)
    {
        var now = clock.UtcNow;
        if (_cache.TryGetValue(connectionId, out var cached) && cached.Access.TenantId == tenantId && now - cached.FetchedAt < options.AccessCacheDuration)
            return cached.Access;
        try
        {
            await using var scope = scopes.CreateScope(Actor);
            var access = await scope.ServiceProvider.GetRequiredService<IConnectionAccess>().GetAsync(tenantId, connectionId, ct);
            _cache[connectionId] = (access, now);
            return access;
        }
        catch
        {
            _cache.TryRemove(connectionId, out _);
            throw;
        }
    }

    /// <summary>
    /// The base URL <paramref name="call"/> goes to when it is not the connection's (<see cref="ICallServiceUrls"/>),
    /// looked up on every call of such a provider, since the provider may move a conversation; null for every other provider.
    /// </summary>
    public async Task<Uri?> CallBaseUrlAsync(ClaimedCall call, ConnectionAccess connection, CancellationToken ct)
    {
        if (connection.Provider.ServiceUrlHosts is null) return null;
        await using var scope = scopes.CreateScope(Actor);
        return scope.ServiceProvider.GetService<ICallServiceUrls>() is { } urls ? await urls.BaseUrlAsync(call, connection, ct) : null;
    }

    /// <summary>The provider refused <paramref name="rejected"/> (401): fresher credentials, shared with the connection's other calls here.</summary>
    public async Task<ConnectionAccess> RenewAsync(ConnectionAccess rejected, CancellationToken ct)
    {
        if (_cache.TryGetValue(rejected.ConnectionId, out var cached) && cached.Access.CredentialVersion > rejected.CredentialVersion) return cached.Access;
        try
        {
            await using var scope = scopes.CreateScope(Actor);
            var renewed = await scope.ServiceProvider.GetRequiredService<IConnectionAccess>().RenewAsync(rejected, ct);
            _cache[rejected.ConnectionId] = (renewed, clock.UtcNow);
            return renewed;
        }
        catch
        {
            _cache.TryRemove(rejected.ConnectionId, out _);
            throw;
        }
    }
}
