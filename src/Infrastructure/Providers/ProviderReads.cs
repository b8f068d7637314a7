using System.Collections.Concurrent;
using System.Text.Json;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Connections;
using Integrations.Infrastructure.Http;

namespace Integrations.Infrastructure.Providers;

/// <summary>
/// The reads a provider's pickers make during an API request (Slack's channels, Jira's projects): a GET
/// on the catalog's URL with the connection's credentials, the JSON answer or a
/// <see cref="ProviderCallException"/> naming what went wrong (never the answer or a credential), and
/// a short per-connection cache (a route editor asks repeatedly). A URL on the catalog's API origin is the
/// operator's, like the token endpoint's: not SSRF-guarded; any other (a site the connection named) is.
/// </summary>
/// <typeparam name="TList">What one listing of a connection is, as cached.</typeparam>
internal sealed class ProviderReads<TList> : IDisposable
{
    private const int MaxCached = 10_000;

    private readonly HttpClient _client;
    private readonly HttpClient _guarded;
    private readonly IClock _clock;
    private readonly TimeSpan _cacheFor;
    private readonly ConcurrentDictionary<Guid, (DateTimeOffset Until, TList List)> _cache = new();

    public ProviderReads(ConnectionsOptions options, IClock clock, Func<bool> allowPrivateNetworkTargets, TimeSpan cacheFor)
    {
        _clock = clock;
        _cacheFor = cacheFor;
        _client = OutboundHttp.CreateClient(allowPrivateNetworkTargets, options.ProviderTimeout, guarded: false);
        _client.Timeout = options.ProviderTimeout;
        _guarded = OutboundHttp.CreateClient(allowPrivateNetworkTargets, options.ProviderTimeout);
        _guarded.Timeout = options.ProviderTimeout;
    }

    /// <summary>The connection's listing from the cache while it is fresh, else read and kept.</summary>
    public async Task<TList> CachedAsync(Guid connectionId, Func<Task<TList>> read)
    {
        if (_cache.TryGetValue(connectionId, out var cached) && cached.Until > _clock.UtcNow) return cached.List;
        var list = await read();
        if (_cache.Count >= MaxCached) _cache.Clear();
        _cache[connectionId] = (_clock.UtcNow + _cacheFor, list);
        return list;
    }

    /// <summary>GETs <paramref name="url"/> as the connection; the answer when it is JSON that <paramref name="expected"/> accepts.</summary>
    /// <param name="vendor">The provider's name for messages (Slack, Jira).</param>
    /// <exception cref="ProviderCallException">Unreachable, 401 (Unauthorized), 429, another non-2xx, an error in the body (providers with a body convention), or an answer not as expected.</exception>
    public async Task<JsonElement> GetJsonAsync(ConnectionAccess access, string url, string vendor, Func<JsonElement, bool> expected, CancellationToken ct)
    {
        // The operator's API (the catalog's base URL) is not guarded; a site the tenant named is (SSRF rules).
        var operators = access.Provider.ApiBaseUrl is { } api
            && Uri.Compare(api, access.BaseUrl, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0;
        return (await ProviderRequests.SendAsync(operators ? _client : _guarded, access, HttpMethod.Get, url, null, vendor, expected, ct))!.Value;
    }

    public void Dispose()
    {
        _client.Dispose();
        _guarded.Dispose();
    }

    /// <summary>A member's text when it is a non-empty string.</summary>
    public static string? Text(JsonElement json, string name) =>
        json.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text ? text : null;
}
