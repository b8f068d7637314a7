using System.Text.Json;
using Integrations.Domain.Connectors;

namespace Integrations.Application.Connectors;

/// <summary>
/// One HTTP request a call sends, prepared from a route's settings and an event when the call is
/// created: everything but the credentials, which are added when it is sent. Either
/// <see cref="Url"/> (absolute) or <see cref="Path"/> (below the connection's base URL) is set.
/// </summary>
/// <param name="Body">JSON text, or null for no body.</param>
public sealed record PreparedRequest(string Method, string? Url, string? Path, IReadOnlyDictionary<string, string> Headers, string? Body)
{
    /// <summary>
    /// What the provider paces calls by, within the connection (Slack: the channel): two calls with
    /// the same key are at least the provider's <see cref="Domain.Connections.CallLimits.KeySpacing"/> apart, across processes.
    /// </summary>
    public string? PaceKey { get; init; }
}

/// <summary>
/// An action routes may use (http.request, later slack.post_message …): it checks a route's settings
/// and prepares the request of a call. Implemented by the provider that offers it
/// (Infrastructure/Providers/&lt;Provider&gt;/); the runtime sends what it prepares.
/// </summary>
public interface IConnectorAction
{
    string Name { get; }

    /// <summary>The settings as stored (normalised JSON), or the reasons they are refused.</summary>
    /// <exception cref="Common.Exceptions.ValidationException">Fields under <c>settings.</c>, each with why.</exception>
    Task<string> CheckSettingsAsync(JsonElement settings, CancellationToken ct);

    /// <summary>The request of one call; cannot fail for settings <see cref="CheckSettingsAsync"/> accepted.</summary>
    PreparedRequest Prepare(string settingsJson, TemplateEvent @event, JsonElement data);
}

/// <summary>The actions this platform offers, by name.</summary>
public interface IConnectorActions
{
    IConnectorAction? Find(string name);
}
