using System.Text.Json;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Connections;
using Integrations.Application.Connectors.Queries.ListSlackChannels;
using Integrations.Domain.Connections;

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

    private readonly ProviderReads<SlackChannelList> _reads;

    public SlackChannelClient(ConnectionsOptions options, IClock clock, Func<bool> allowPrivateNetworkTargets) =>
        _reads = new ProviderReads<SlackChannelList>(options, clock, allowPrivateNetworkTargets, CacheFor);

    public Task<SlackChannelList> ListAsync(ConnectionAccess access, CancellationToken ct) => _reads.CachedAsync(access.ConnectionId, async () =>
    {
        var channels = new List<SlackChannelDto>();
        string? cursor = null;
        do
        {
            var url = ConnectionEndpoints.Below(access.BaseUrl, "/conversations.list") + $"?types=public_channel&exclude_archived=true&limit={PageSize}"
                + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor));
            var page = await _reads.GetJsonAsync(access, url, "Slack",
                json => json.TryGetProperty("channels", out var list) && list.ValueKind == JsonValueKind.Array, ct);
            foreach (var channel in page.GetProperty("channels").EnumerateArray())
                channels.Add(new SlackChannelDto(channel.GetProperty("id").GetString()!, Text(channel, "name") ?? "",
                    Flag(channel, "is_private"), Flag(channel, "is_archived"), Flag(channel, "is_member")));
            cursor = page.TryGetProperty("response_metadata", out var meta) ? Text(meta, "next_cursor") : null;
        }
        while (cursor is not null && channels.Count < ISlackChannels.MaxChannels);
        return new SlackChannelList(channels.Take(ISlackChannels.MaxChannels).OrderBy(c => c.Name, StringComparer.Ordinal).ToList(), cursor is not null);
    });

    public void Dispose() => _reads.Dispose();

    private static string? Text(JsonElement json, string name) => ProviderReads<SlackChannelList>.Text(json, name);

    private static bool Flag(JsonElement json, string name) => json.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.True;
}
