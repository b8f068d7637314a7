namespace Integrations.Api.Console;

/// <summary>Settings of the customer console (docs/configuration.md#console).</summary>
public sealed class ConsoleOptions
{
    public const string Section = "Console";

    /// <summary>How long a link minted with POST /api/v1/console-sessions can be opened (once).</summary>
    public TimeSpan EmbedLinkLifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long a console session lasts after sign-in or after its link was opened; it does not slide.</summary>
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// The origins (scheme://host[:port]) whose pages may frame a console opened through an embed link,
    /// as the CSP frame-ancestors list. Empty: only this origin ('self').
    /// </summary>
    public string[] EmbedAllowedOrigins { get; set; } = [];

    /// <summary>The console's public base URL (scheme://host[:port]) in minted links; unset: the request's own.</summary>
    public string? PublicBaseUrl { get; set; }
}
