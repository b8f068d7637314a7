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
    /// <summary>In a <see cref="Path"/>, stands for the connection's account id, filled in when the call is sent (escaped).</summary>
    public const string AccountSegment = "{account}";

    /// <summary>
    /// What the provider paces calls by, within the connection (Slack: the channel): two calls with
    /// the same key are at least the provider's <see cref="Domain.Connections.CallLimits.KeySpacing"/> apart, across processes.
    /// </summary>
    public string? PaceKey { get; init; }

    /// <summary>
    /// Not sent: what the action needs of this call when its answer comes (<see cref="IFollowingConnectorAction"/>),
    /// e.g. the status jira.transition moves the issue to. Stored with the call, so it survives retries and replays.
    /// </summary>
    public string? Carry { get; init; }
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
    /// <returns>Null when the event gives the action nothing to send (hubspot.upsert: no id to upsert by): no call is made.</returns>
    PreparedRequest? Prepare(string settingsJson, TemplateEvent @event, JsonElement data);
}

/// <summary>Our record and the record a succeeded call made at the provider: a link of the identity map (<see cref="Connections.IConnectionLinks"/>).</summary>
public sealed record MadeRecordLink(string EntityType, string EntityId, string ExternalType, string ExternalId);

/// <summary>
/// An action whose calls make a record at the provider for a record of ours (jira.issue: an issue for
/// an invoice). When such a call succeeds, the runtime links the two in the call's connection, in
/// the transaction that records the result, so the way back (the provider's webhooks) finds our record.
/// </summary>
public interface ILinkingConnectorAction
{
    /// <summary>The link a succeeded call made, from its request and the first KiB of the provider's answer; null when it made none.</summary>
    MadeRecordLink? LinkOf(PreparedRequest request, string? answerExcerpt);
}

/// <summary>
/// An action whose call writes fields of a provider's record (hubspot.upsert updating a linked record). The routing
/// step remembers those writes in <see cref="IConnectorWrites"/> when it creates the call, so the provider's webhook
/// reporting them is not taken for a change of theirs; the record step settles them with the call.
/// </summary>
public interface IWritingConnectorAction
{
    /// <summary>What the request writes into a record whose provider id it names; empty when it names none (a record not made yet).</summary>
    IReadOnlyList<ProviderWrite> WritesOf(PreparedRequest request);
}

/// <summary>Our record an event is about, and other records of ours its request refers to (a contact's company), by name.</summary>
public sealed record LinkedRecords(LinkedRecordRef Record, IReadOnlyDictionary<string, LinkedRecordRef> Related);

/// <summary>
/// An action that works on the provider's record linked with ours when there is a link, and on its own otherwise
/// (hubspot.upsert: update the linked record by the provider's id, else upsert by our id), and may refer to other
/// linked records (a contact's company). The routing step asks which records of ours the event is about, looks
/// them up in the connection's identity map and prepares with <see cref="PrepareWith"/>.
/// </summary>
public interface ILinkPreferringAction
{
    /// <summary>The records the event is about; null when it names none (no call is prepared then).</summary>
    LinkedRecords? RecordsOf(string settingsJson, TemplateEvent @event, JsonElement data);

    /// <param name="externalId">The provider's id of our record, when linked.</param>
    /// <param name="related">The provider's ids of the related records that are linked, by their name in <see cref="LinkedRecords.Related"/>.</param>
    PreparedRequest? PrepareWith(string settingsJson, TemplateEvent @event, JsonElement data, string? externalId, IReadOnlyDictionary<string, string> related);
}

/// <summary>The actions this platform offers, by name.</summary>
public interface IConnectorActions
{
    IConnectorAction? Find(string name);
}
