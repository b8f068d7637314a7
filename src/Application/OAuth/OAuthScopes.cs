namespace Integrations.Application.OAuth;

/// <summary>
/// The scope catalogue (docs/oauth.md#scopes): what an app may declare and a member may consent to.
/// Each scope maps to a set of API operations; see the Api's scope enforcement for the mapping.
/// </summary>
public static class OAuthScopes
{
    public const string EventsRead = "events:read";
    public const string EventsWrite = "events:write";
    public const string WebhooksRead = "webhooks:read";
    public const string WebhooksWrite = "webhooks:write";
    public const string MembersRead = "members:read";
    public const string MembersWrite = "members:write";
    public const string TenantRead = "tenant:read";
    public const string ConnectionsRead = "connections:read";
    public const string ConnectionsWrite = "connections:write";
    public const string NotificationsRead = "notifications:read";
    public const string SchedulesRead = "schedules:read";
    public const string SchedulesWrite = "schedules:write";
    public const string InboundRead = "inbound:read";
    public const string InboundWrite = "inbound:write";
    public const string EntitiesRead = "entities:read";
    public const string CommandsRead = "commands:read";
    public const string CommandsWrite = "commands:write";

    public static readonly IReadOnlyDictionary<string, string> Catalogue = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [EventsRead] = "Read your organisation's events.",
        [EventsWrite] = "Send events on behalf of your organisation.",
        [WebhooksRead] = "See your webhook endpoints and their deliveries.",
        [WebhooksWrite] = "Create, change and delete webhook endpoints, and retry deliveries.",
        [MembersRead] = "See the members of your organisation.",
        [MembersWrite] = "Invite and remove members of your organisation.",
        [TenantRead] = "Read your organisation's name and plan.",
        [ConnectionsRead] = "See your organisation's connections to other systems, their health and audit log (never their credentials).",
        [ConnectionsWrite] = "Connect, test, reconnect and delete your organisation's connections to other systems.",
        [NotificationsRead] = "See your organisation's notifications of persistent failures and mark them read.",
        [SchedulesRead] = "See your organisation's scheduled syncs and the history of their runs.",
        [SchedulesWrite] = "Create, change, pause, resume, run and delete your organisation's scheduled syncs.",
        [InboundRead] = "See your organisation's inbound webhook sources and their logs (never their secrets).",
        [InboundWrite] = "Create and delete your organisation's inbound webhook sources.",
        [EntitiesRead] = "Read the records your organisation's events describe (their latest known state).",
        [CommandsRead] = "See the commands sent to the product for your organisation and their results.",
        [CommandsWrite] = "Ask the product to create and change records on behalf of your organisation.",
    };

    /// <summary>Splits a space-delimited scope parameter (RFC 6749 §3.3); null when it holds an unknown or repeated scope.</summary>
    public static string[]? Parse(string? scope)
    {
        if (string.IsNullOrWhiteSpace(scope)) return [];
        var parts = scope.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Any(p => !Catalogue.ContainsKey(p))) return null;
        return parts.Distinct(StringComparer.Ordinal).ToArray();
    }

    public static string Join(IEnumerable<string> scopes) => string.Join(' ', scopes.OrderBy(s => s, StringComparer.Ordinal));
}
