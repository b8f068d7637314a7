using System.Text.Json.Nodes;

namespace Integrations.Domain.Connectors.Teams;

/// <summary>What a tenant's Teams app names: our bot, the tab's signed URL and the host it is on.</summary>
public sealed record TeamsAppFacts(string BotAppId, string AppName, string TabUrl, string WebsiteUrl, string ValidDomain);

/// <summary>
/// The manifest.json of the Teams app a tenant uploads (schema 1.19,
/// learn.microsoft.com/microsoftteams/platform/resources/schema/manifest-schema): the bot (posting to
/// teams, with the <c>status</c> command listed), a static tab showing the signed page, the icons
/// the package carries (color.png 192×192, outline.png 32×32). Pure.
/// </summary>
public static class TeamsAppManifest
{
    public const string ManifestVersion = "1.19";
    public const string Schema = "https://developer.microsoft.com/en-us/json-schemas/teams/v1.19/MicrosoftTeams.schema.json";

    public static JsonObject Build(TeamsAppFacts app) => new()
    {
        ["$schema"] = Schema,
        ["manifestVersion"] = ManifestVersion,
        ["version"] = "1.0.0",
        // The app's id is the bot's: one app per bot registration.
        ["id"] = app.BotAppId,
        ["developer"] = new JsonObject
        {
            ["name"] = Cut(app.AppName, 32),
            ["websiteUrl"] = app.WebsiteUrl,
            ["privacyUrl"] = app.WebsiteUrl,
            ["termsOfUseUrl"] = app.WebsiteUrl,
        },
        ["name"] = new JsonObject { ["short"] = Cut(app.AppName, 30), ["full"] = Cut(app.AppName, 100) },
        ["description"] = new JsonObject
        {
            ["short"] = Cut($"{app.AppName} notifications in Teams", 80),
            ["full"] = Cut($"Posts {app.AppName} events to your channels as cards, and shows your integrations' status in a tab.", 4000),
        },
        ["icons"] = new JsonObject { ["color"] = "color.png", ["outline"] = "outline.png" },
        ["accentColor"] = "#4F6BED",
        ["bots"] = new JsonArray
        {
            new JsonObject
            {
                ["botId"] = app.BotAppId,
                ["scopes"] = new JsonArray("team", "personal", "groupChat"),
                ["isNotificationOnly"] = false,
                ["supportsFiles"] = false,
                ["commandLists"] = new JsonArray
                {
                    new JsonObject
                    {
                        ["scopes"] = new JsonArray("team", "personal", "groupChat"),
                        ["commands"] = new JsonArray(new JsonObject { ["title"] = "status", ["description"] = "status <type> <id>: a record's latest state" }),
                    },
                },
            },
        },
        ["staticTabs"] = new JsonArray
        {
            new JsonObject
            {
                ["entityId"] = "integrations-status",
                ["name"] = "Integrations",
                ["contentUrl"] = app.TabUrl,
                ["websiteUrl"] = app.WebsiteUrl,
                ["scopes"] = new JsonArray("personal", "team"),
            },
        },
        ["permissions"] = new JsonArray("identity", "messageTeamMembers"),
        ["validDomains"] = new JsonArray(app.ValidDomain),
    };

    private static string Cut(string text, int max) => text.Length <= max ? text : text[..max];
}
