using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text.Json;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Connections;
using Integrations.Application.Connectors.Queries.ListSlackChannels;
using Integrations.Domain.Connections;
using Integrations.Infrastructure.Http;

namespace Integrations.Infrastructure.Providers.Slack;

/// <summary>
/// <see cref="ISlackChannels"/> over conversations.list: public channels (private ones need the
/// groups:read scope, which the app does not ask for), archived ones left out, 200 a page, following
/// <c>response_metadata.next_cursor</c>, on the catalog's Slack base URL with the connection's bearer
/// token. A listing is kept for <see cref="CacheFor"/> per connection (a route editor asks
/// repeatedly; conversations.list is Tier 2, about 20 calls a minute).
/// </summary>
public sealed class SlackChannelClient : ISlackChannels, IDisposable
{
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(60);
    private const int PageSize = 200;
    private const int MaxCached = 10_000;

    private readonly HttpClient _client;
    private readonly IClock _clock;
    private readonly ConcurrentDictionary<Guid, (DateTimeOffset Until, SlackChannelList List)> _cache = new();

    public SlackChannelClient(ConnectionsOptions options, IClock clock, Func<bool> allowPrivateNetworkTargets)
    {
        _clock = clock;
        // The catalog's Slack URL is the operator's, like the token endpoint's: not a tenant's, so not SSRF-guarded.
        _client = OutboundHttp.CreateClient(allowPrivateNetworkTargets, options.ProviderTimeout, guarded: false);
        _client.Timeout = options.ProviderTimeout;
    }

    public async Task<SlackChannelList> ListAsync(ConnectionAccess access, CancellationToken ct)
    {
        if (_cache.TryGetValue(access.ConnectionId, out var cached) && cached.Until > _clock.UtcNow) return cached.List;
        var channels = new List<SlackChannelDto>();
        string? cursor = null;
        do
        {
            var page = await PageAsync(access, cursor, ct);
            foreach (var channel in page.GetProperty("channels").EnumerateArray())
                channels.Add(new SlackChannelDto(channel.GetProperty("id").GetString()!, Text(channel, "name") ?? "",
                    Flag(channel, "is_private"), Flag(channel, "is_archived"), Flag(channel, "is_member")));
            cursor = page.TryGetProperty("response_metadata", out var meta) ? Text(meta, "next_cursor") : null;
        }
        while (cursor is not null && channels.Count < ISlackChannels.MaxChannels);
        var list = new SlackChannelList(channels.Take(ISlackChannels.MaxChannels).OrderBy(c => c.Name, StringComparer.Ordinal).ToList(), cursor is not null);
        if (_cache.Count >= MaxCached) _cache.Clear();
        _cache[access.ConnectionId] = (_clock.UtcNow + CacheFor, list);
        return list;
    }

    public void Dispose() => _client.Dispose();

    private async Task<JsonElement> PageAsync(ConnectionAccess access, string? cursor, CancellationToken ct)
    {
        var url = ConnectionEndpoints.Below(access.BaseUrl, "/conversations.list") + $"?types=public_channel&exclude_archived=true&limit={PageSize}"
            + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor));
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        foreach (var (name, value) in access.Credentials.Headers) request.Headers.TryAddWithoutValidation(name, value);
        HttpResponseMessage answer;
        try
        {
            answer = await _client.SendAsync(request, ct);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            throw new ProviderCallException(ProviderFailureKind.Transient, "connection", "Slack could not be reached.");
        }
        using (answer)
        {
            var status = (int)answer.StatusCode;
            if (status == 429) throw new ProviderCallException(ProviderFailureKind.Transient, "ratelimited", "Slack asked to slow down; try again shortly.");
            if (status is < 200 or > 299) throw new ProviderCallException(ProviderFailureKind.Transient, $"http_{status}", $"Slack answered {status}.");
            var bytes = await answer.Content.ReadAsByteArrayAsync(ct);
            if (access.Provider.BodyErrors?.Read(bytes) is { } refused)
                throw ProviderCallException.FromBody(refused, $"Slack answered {refused.Code}.");
            try
            {
                var json = JsonDocument.Parse(bytes).RootElement.Clone();
                return json.TryGetProperty("channels", out var list) && list.ValueKind == JsonValueKind.Array
                    ? json
                    : throw new ProviderCallException(ProviderFailureKind.Transient, "invalid_response", "Slack's answer holds no channels.");
            }
            catch (JsonException)
            {
                throw new ProviderCallException(ProviderFailureKind.Transient, "invalid_response", "Slack's answer is not JSON.");
            }
        }
    }

    private static string? Text(JsonElement json, string name) =>
        json.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text ? text : null;

    private static bool Flag(JsonElement json, string name) => json.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.True;
}
