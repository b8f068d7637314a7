using Integrations.Application.Common.Interfaces;
using Integrations.Application.Providers;
using Integrations.Domain.Connections;

namespace Integrations.Application.Connectors.Pipelines.Calls;

/// <summary>
/// This Workers process's own view of the connections it calls: the calls it holds per connection
/// and per provider against their limits (<see cref="CallLimits"/>), and the connections and
/// providers that must not be called before some time (an open circuit, a used-up quota). The claim
/// takes a call only where there is room, so a hanging provider holds at most its connections'
/// limits here, and every other connection keeps the rest.
/// </summary>
public sealed class ConnectorLoad(IProviderCatalog providers, IClock clock)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<Guid, int> _byConnection = [];
    private readonly Dictionary<Guid, string> _providerOf = [];
    private readonly Dictionary<string, int> _byProvider = new(StringComparer.Ordinal);
    private readonly Dictionary<Guid, DateTimeOffset> _blockedConnections = [];
    private readonly Dictionary<string, DateTimeOffset> _blockedProviders = new(StringComparer.Ordinal);

    /// <summary>What the next claim must skip: connections and providers that are full here, or blocked.</summary>
    public (IReadOnlyCollection<Guid> Connections, IReadOnlyCollection<string> Providers) Excluded()
    {
        var now = clock.UtcNow;
        lock (_lock)
        {
            Expire(_blockedConnections, now);
            Expire(_blockedProviders, now);
            var connections = _blockedConnections.Keys.ToHashSet();
            foreach (var (connection, held) in _byConnection)
                if (held >= LimitsOf(ProviderOf(connection)).MaxConcurrentPerConnection) connections.Add(connection);
            var full = _byProvider.Where(p => p.Value >= LimitsOf(p.Key).MaxConcurrentPerProvider).Select(p => p.Key);
            return (connections, _blockedProviders.Keys.Concat(full).ToHashSet(StringComparer.Ordinal));
        }
    }

    /// <summary>Holds the call if its connection and provider have room here (the claim's admission).</summary>
    public bool TryHold(ClaimedCall call)
    {
        var limits = LimitsOf(call.Provider);
        lock (_lock)
        {
            var connection = _byConnection.GetValueOrDefault(call.ConnectionId);
            var provider = _byProvider.GetValueOrDefault(call.Provider);
            if (connection >= limits.MaxConcurrentPerConnection || provider >= limits.MaxConcurrentPerProvider) return false;
            if (_blockedConnections.TryGetValue(call.ConnectionId, out var until) && until > clock.UtcNow) return false;
            _byConnection[call.ConnectionId] = connection + 1;
            _byProvider[call.Provider] = provider + 1;
            _providerOf[call.ConnectionId] = call.Provider;
            return true;
        }
    }

    public void Release(ClaimedCall call)
    {
        lock (_lock)
        {
            if (--_byConnection[call.ConnectionId] == 0)
            {
                _byConnection.Remove(call.ConnectionId);
                _providerOf.Remove(call.ConnectionId);
            }
            if (--_byProvider[call.Provider] == 0) _byProvider.Remove(call.Provider);
        }
    }

    /// <returns>Whether this extends what was known (the caller then defers the connection's queued calls too).</returns>
    public bool BlockConnection(Guid connectionId, DateTimeOffset until) => Block(_blockedConnections, connectionId, until);

    public bool BlockProvider(string provider, DateTimeOffset until) => Block(_blockedProviders, provider, until);

    private string ProviderOf(Guid connectionId) => _providerOf.GetValueOrDefault(connectionId, "");

    private CallLimits LimitsOf(string provider) => providers.Find(provider)?.Limits ?? CallLimits.Default;

    private bool Block<TKey>(Dictionary<TKey, DateTimeOffset> blocked, TKey key, DateTimeOffset until) where TKey : notnull
    {
        lock (_lock)
        {
            if (blocked.TryGetValue(key, out var known) && known >= until) return false;
            blocked[key] = until;
            return true;
        }
    }

    private static void Expire<TKey>(Dictionary<TKey, DateTimeOffset> blocked, DateTimeOffset now) where TKey : notnull
    {
        foreach (var (key, until) in blocked.ToList())
            if (until <= now) blocked.Remove(key);
    }
}
