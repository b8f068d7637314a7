namespace Integrations.Application.Connectors;

/// <summary>
/// The Teams tab and app package (Providers:microsoft-teams:Tab:…, docs/connectors/teams.md): the key
/// that signs tab links (a secret; without it there is no tab and no package), how long a link in a
/// package holds, and the app's name in Teams.
/// </summary>
public sealed class TeamsTabOptions
{
    public const string Section = "Providers:microsoft-teams:Tab";

    public string? SigningKey { get; set; }

    public TimeSpan LinkLifetime { get; set; } = TimeSpan.FromDays(365);

    public string AppName { get; set; } = "Integrations";

    public byte[]? Key => SigningKey is { Length: >= 32 } key ? System.Text.Encoding.UTF8.GetBytes(key) : null;
}

/// <summary>Zips a Teams app package: the manifest and its two icons (Infrastructure draws them).</summary>
public interface ITeamsAppPackager
{
    byte[] Package(System.Text.Json.Nodes.JsonObject manifest);
}
