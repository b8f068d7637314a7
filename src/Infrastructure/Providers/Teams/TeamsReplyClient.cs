using System.Net.Http.Headers;
using System.Text;
using Integrations.Application.Connections;
using Integrations.Application.Connectors;
using Integrations.Infrastructure.Http;
using Microsoft.Extensions.Logging;

namespace Integrations.Infrastructure.Providers.Teams;

/// <summary>
/// <see cref="ITeamsReplies"/>: <c>POST {service URL}/v3/conversations/{conversationId}/activities/{activityId}</c>
/// (Bot Connector "Reply to activity") with the connection's token. The service URL is the activity's,
/// which the handler verified (the token's claim) and allowed (<see cref="Domain.Connectors.Teams.BotServiceUrl"/>:
/// a Bot Connector host or the operator's configured origin), so it is not SSRF-guarded, like the Slack client.
/// </summary>
public sealed class TeamsReplyClient(IConnectionAccess access, TeamsReplyClient.Transport transport, ILogger<TeamsReplyClient> logger) : ITeamsReplies
{
    private readonly IConnectionAccess _access = access;
    private readonly HttpClient _client = transport.Client;
    private readonly ILogger<TeamsReplyClient> _logger = logger;

    /// <summary>The one HTTP client of the replies (a singleton; the client above is per request).</summary>
    public sealed class Transport : IDisposable
    {
        public Transport(ConnectionsOptions options, Func<bool> allowPrivateNetworkTargets)
        {
            Client = OutboundHttp.CreateClient(allowPrivateNetworkTargets, options.ProviderTimeout, guarded: false);
            Client.Timeout = options.ProviderTimeout;
        }

        public HttpClient Client { get; }

        public void Dispose() => Client.Dispose();
    }

    private async Task<HttpResponseMessage> RetryAsync(HttpResponseMessage refused, ConnectionAccess renewed, Uri serviceUrl, string conversationId, string replyToId,
        System.Text.Json.Nodes.JsonObject activity, CancellationToken ct)
    {
        refused.Dispose();
        return await SendAsync(renewed, serviceUrl, conversationId, replyToId, activity, ct);
    }

    private async Task<HttpResponseMessage> SendAsync(ConnectionAccess access, Uri serviceUrl, string conversationId, string replyToId,
        System.Text.Json.Nodes.JsonObject activity, CancellationToken ct)
    {
        var url = serviceUrl.GetLeftPart(UriPartial.Path).TrimEnd('/')
                  + $"/v3/conversations/{Uri.EscapeDataString(conversationId)}/activities/{Uri.EscapeDataString(replyToId)}";
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(activity.ToJsonString(), Encoding.UTF8) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        foreach (var (name, value) in access.Credentials.Headers) request.Headers.TryAddWithoutValidation(name, value);
        return await _client.SendAsync(request, ct);
    }

    public async Task<bool> ReplyAsync(Guid tenantId, Guid connectionId, Uri serviceUrl, string conversationId, string replyToId,
        System.Text.Json.Nodes.JsonObject activity, CancellationToken ct)
    {
        try
        {
            var access = await _access.GetAsync(tenantId, connectionId, ct);
            var first = await SendAsync(access, serviceUrl, conversationId, replyToId, activity, ct);
            // A token the Bot Connector no longer accepts: renewed once, as the runtime does for calls.
            using var response = first.StatusCode == System.Net.HttpStatusCode.Unauthorized
                ? await RetryAsync(first, await _access.RenewAsync(access, ct), serviceUrl, conversationId, replyToId, activity, ct)
                : first;
            if (response.IsSuccessStatusCode) return true;
            _logger.LogWarning("Teams reply for connection {ConnectionId} answered {Status}", connectionId, (int)response.StatusCode);
        }
        catch (Exception e) when (e is HttpRequestException or ConnectionUnusableException or TaskCanceledException)
        {
            _logger.LogWarning("Teams reply for connection {ConnectionId} failed: {Error}", connectionId, e.GetType().Name);
        }
        return false;
    }
}
