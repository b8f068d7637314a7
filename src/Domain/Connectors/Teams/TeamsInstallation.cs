using System.Text.Json;

namespace Integrations.Domain.Connectors.Teams;

/// <summary>A channel (or chat) the bot was added to: where routes can post and the service URL to post through.</summary>
/// <param name="ConversationId">The channel's conversation id (19:…@thread.tacv2): a <c>teams.bot_card</c> route's conversation_id.</param>
/// <param name="MicrosoftTenantId">The Entra tenant of the team.</param>
public sealed record TeamsConversation(string ConversationId, string ServiceUrl, string? MicrosoftTenantId, string? TeamId, string? Name, string ConversationType);

/// <summary>The bot left a team (every channel of <paramref name="TeamId"/>) or, outside a team, one conversation.</summary>
public sealed record TeamsRemoval(string? TeamId, string? ConversationId);

/// <summary>
/// Reads the activities that say the bot was installed in a team (a <c>conversationUpdate</c> whose
/// <c>membersAdded</c> holds the bot, or an <c>installationUpdate</c> with action <c>add</c>;
/// learn.microsoft.com/microsoftteams/platform/bots/how-to/conversations/subscribe-to-conversation-events).
/// Pure.
/// </summary>
public static class TeamsInstallation
{
    public const int MaxIdLength = 300;

    /// <summary>The conversation the bot joined, or null when the activity is not an installation of <paramref name="botAppId"/>.</summary>
    public static TeamsConversation? Read(JsonElement activity, string botAppId)
    {
        if (activity.ValueKind != JsonValueKind.Object) return null;
        var type = Text(activity, "type");
        var installed = type switch
        {
            "conversationUpdate" => activity.TryGetProperty("membersAdded", out var added) && added.ValueKind == JsonValueKind.Array
                && added.EnumerateArray().Any(m => IsBot(Text(m, "id"), activity, botAppId)),
            "installationUpdate" => Text(activity, "action") is "add" or "add-upgrade",
            _ => false,
        };
        if (!installed) return null;
        var conversation = activity.TryGetProperty("conversation", out var c) ? c : default;
        var channelData = activity.TryGetProperty("channelData", out var d) ? d : default;
        var team = Object(channelData, "team");
        // In a team, the conversation id is the channel's (the General channel's id is the team's thread id).
        var id = Text(Object(channelData, "channel"), "id") ?? Text(conversation, "id");
        var serviceUrl = Text(activity, "serviceUrl");
        if (id is not { Length: > 0 and <= MaxIdLength } || serviceUrl is null || !Uri.TryCreate(serviceUrl, UriKind.Absolute, out _)) return null;
        return new TeamsConversation(id, serviceUrl, Text(Object(channelData, "tenant"), "id") ?? Text(conversation, "tenantId"), Text(team, "id"),
            Text(Object(channelData, "channel"), "name") ?? Text(team, "name"), Text(conversation, "conversationType") ?? "channel");
    }

    /// <summary>
    /// Where the bot was removed, or null when the activity is not a removal of <paramref name="botAppId"/>:
    /// an <c>installationUpdate</c> with action <c>remove</c> (the app uninstalled from the team or chat) or a
    /// <c>conversationUpdate</c> whose <c>membersRemoved</c> holds the bot. In a team, every channel of the team
    /// goes (<see cref="TeamsRemoval.TeamId"/>); in a chat, the conversation.
    /// </summary>
    public static TeamsRemoval? ReadRemoval(JsonElement activity, string botAppId)
    {
        if (activity.ValueKind != JsonValueKind.Object) return null;
        var removed = Text(activity, "type") switch
        {
            "conversationUpdate" => activity.TryGetProperty("membersRemoved", out var gone) && gone.ValueKind == JsonValueKind.Array
                && gone.EnumerateArray().Any(m => IsBot(Text(m, "id"), activity, botAppId)),
            "installationUpdate" => Text(activity, "action") is "remove" or "remove-upgrade",
            _ => false,
        };
        if (!removed) return null;
        var channelData = activity.TryGetProperty("channelData", out var d) ? d : default;
        var teamId = Text(Object(channelData, "team"), "id");
        var conversationId = Text(Object(channelData, "channel"), "id") ?? Text(activity.TryGetProperty("conversation", out var c) ? c : default, "id");
        return teamId is null && conversationId is null ? null : new TeamsRemoval(teamId, conversationId);
    }

    /// <summary>The bot's channel account id is 28:&lt;app id&gt;; the activity's recipient is the bot too.</summary>
    private static bool IsBot(string? memberId, JsonElement activity, string botAppId) =>
        memberId is not null && (memberId == "28:" + botAppId || memberId == botAppId || memberId == Text(Object(activity, "recipient"), "id"));

    private static JsonElement Object(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Object ? value : default;

    private static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
