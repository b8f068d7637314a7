using System.Text.Json;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Messaging;
using Integrations.Application.Connections;
using Integrations.Application.Entities;
using Integrations.Domain.Connectors.Teams;
using MediatR;

namespace Integrations.Application.Connectors.Commands.ReceiveTeamsActivity;

/// <summary>What the bot's messaging endpoint answers.</summary>
public abstract record TeamsActivityOutcome
{
    /// <summary>Verified: the activity came from the Bot Connector for <paramref name="BotAppId"/>, held by these connections.</summary>
    public sealed record Accepted(string BotAppId, string? ActivityType, IReadOnlyList<ConnectionIdentity> Connections) : TeamsActivityOutcome;

    /// <summary>Not from the Bot Connector for one of our bots (401): <paramref name="Reason"/> names the failed check.</summary>
    public sealed record Rejected(string Reason) : TeamsActivityOutcome;

    /// <summary>Verified, but the body is not an activity (400).</summary>
    public sealed record Invalid(string Message) : TeamsActivityOutcome;
}

/// <summary>
/// An activity the Bot Connector sent to <c>POST /inbound/microsoft-teams/messages</c>: its bearer
/// JWT checked as Microsoft documents (signature RS256 by a key of the OpenID metadata's JWKS, then
/// <see cref="BotTokenRules"/>: issuer, lifetime with 5 minutes of skew, audience = a connected bot's
/// app id, serviceUrl claim = the activity's, the signing key endorsed for the activity's channel),
/// and the serviceUrl on a Bot Connector host (<see cref="BotServiceUrl"/>), since the bot's calls
/// for the conversation and its replies go there with its token. An installation of the bot in a team records the
/// channel for each connection holding the bot (<see cref="ITeamsConversations"/>); its removal forgets the team's channels.
/// </summary>
public sealed record ReceiveTeamsActivityCommand(string? Authorization, byte[] Body) : ICommand<TeamsActivityOutcome>;

public sealed class ReceiveTeamsActivityCommandHandler(IBotConnectorTokens tokens, IConnectionReadModel connections, ITeamsConversations conversations,
    IEntityReadModel entities, ITeamsReplies replies, Providers.IProviderCatalog providers, IClock clock)
    : IRequestHandler<ReceiveTeamsActivityCommand, TeamsActivityOutcome>
{
    public const string Provider = "microsoft-teams";

    public async Task<TeamsActivityOutcome> Handle(ReceiveTeamsActivityCommand request, CancellationToken cancellationToken)
    {
        if (request.Authorization is not { } header || !header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || header.Length <= 7)
            return new TeamsActivityOutcome.Rejected("missing_token");
        var read = await tokens.ReadAsync(header[7..].Trim(), cancellationToken);
        if (read.Claims is not { } claims) return new TeamsActivityOutcome.Rejected(read.Refusal ?? "invalid_signature");

        var ours = new Dictionary<string, IReadOnlyList<ConnectionIdentity>>(StringComparer.Ordinal);
        foreach (var audience in claims.Audiences.Distinct(StringComparer.Ordinal).Take(5))
        {
            var held = await connections.FindByAccountAsync(Provider, audience, cancellationToken);
            if (held.Count > 0) ours[audience] = held;
        }
        var activity = ReadActivity(request.Body);
        var serviceUrl = Text(activity, "serviceUrl");
        if (BotTokenRules.Refusal(claims, new BotActivityOrigin(serviceUrl, Text(activity, "channelId")), ours.ContainsKey, clock.UtcNow, tokens.Issuer) is { } refusal)
            return new TeamsActivityOutcome.Rejected(refusal);
        if (providers.Find(Provider) is not { } definition || BotServiceUrl.Allowed(serviceUrl, definition) is not { } replyBase)
            return new TeamsActivityOutcome.Rejected("service_url_not_allowed");
        if (Text(activity, "type") is not { } type) return new TeamsActivityOutcome.Invalid("The body is not a Bot Framework activity (a JSON object with type and serviceUrl).");
        var bot = BotTokenRules.BotOf(claims, ours.ContainsKey)!;
        if (TeamsInstallation.Read(activity, bot) is { } installed)
            foreach (var connection in ours[bot])
                await conversations.RecordAsync(connection.TenantId, connection.ConnectionId, installed, clock.UtcNow, cancellationToken);
        if (TeamsInstallation.ReadRemoval(activity, bot) is { } removal)
            foreach (var connection in ours[bot])
                await conversations.ForgetAsync(connection.TenantId, connection.ConnectionId, removal, cancellationToken);
        if (TeamsStatusReply.CommandText(activity) is { } text) await AnswerStatusAsync(activity, replyBase, text, ours[bot], cancellationToken);
        return new TeamsActivityOutcome.Accepted(bot, type, ours[bot]);
    }

    /// <summary>
    /// <c>status &lt;type&gt; &lt;id&gt;</c> (Slack's command's grammar): answered in the conversation from the entity read model of
    /// the first connected tenant holding the bot that knows the record; other messages get the usage.
    /// </summary>
    private async Task AnswerStatusAsync(JsonElement activity, Uri serviceUrl, string text, IReadOnlyList<ConnectionIdentity> holders, CancellationToken ct)
    {
        var conversationId = activity.TryGetProperty("conversation", out var c) && c.ValueKind == JsonValueKind.Object ? Text(c, "id") : null;
        if (conversationId is null || Text(activity, "id") is not { } activityId || holders.FirstOrDefault(h => h.Status == "connected") is not { } replier) return;
        var card = TeamsStatusReply.Usage();
        if (Domain.Connectors.Slack.SlackStatusCommand.Parse(text) is { EntityType: { } entityType, EntityId: { } entityId })
        {
            card = TeamsStatusReply.NotFound(entityType, entityId);
            foreach (var holder in holders.Where(h => h.Status == "connected"))
                if (await entities.FindAsync(holder.TenantId, entityType, entityId, ct) is { } entity)
                {
                    (card, replier) = (TeamsStatusReply.Found(entity.EntityType, entity.EntityId, entity.Status, entity.UpdatedAt, entity.Attributes), holder);
                    break;
                }
        }
        var reply = TeamsCard.BotActivity(card, "Status");
        reply["replyToId"] = activityId;
        await replies.ReplyAsync(replier.TenantId, replier.ConnectionId, serviceUrl, conversationId, activityId, reply, ct);
    }

    /// <summary>The activity as JSON; default when the body is not JSON.</summary>
    private static JsonElement ReadActivity(byte[] body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return default;
        }
    }

    private static string? Text(JsonElement activity, string name) =>
        activity.ValueKind == JsonValueKind.Object && activity.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
