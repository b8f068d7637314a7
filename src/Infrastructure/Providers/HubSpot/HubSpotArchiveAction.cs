using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Integrations.Application.Common.Exceptions;
using Integrations.Application.Connectors;
using Integrations.Domain.Connectors;
using Integrations.Domain.Connectors.HubSpot;

namespace Integrations.Infrastructure.Providers.HubSpot;

/// <summary>
/// The <c>hubspot.archive</c> action: a record of ours that was deleted archives the HubSpot record linked
/// with it (HubSpot's "Archive", <c>DELETE /crm/v3/objects/{object}/{id}</c>: the recycling bin, restorable for
/// 90 days, never a hard delete). Settings:
/// <code>
/// { "object": "contacts",            contacts or companies
///   "id": "{{ data.entity_id }}",    optional: our record's id (default: the entity.deleted event's entity_id)
///   "entity_type": "contact"         optional: our record's type in the link (default: contact / company)
/// }
/// </code>
/// An event about a record without a link (never upserted through this connection) makes no call.
/// </summary>
public sealed class HubSpotArchiveAction : IConnectorAction, ILinkedRecordAction
{
    private static readonly string[] Settings = ["object", "id", "entity_type"];
    private static readonly JsonSerializerOptions Compact = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private readonly ConcurrentDictionary<string, (string Object, JsonTemplate Id, string EntityType)> _parsed = new(StringComparer.Ordinal);

    public string Name => HubSpotUpsert.ArchiveAction;

    public Task<string> CheckSettingsAsync(JsonElement settings, CancellationToken ct)
    {
        var errors = ActionSettings.UnknownFields(settings, Name, Settings);
        var output = new JsonObject();
        HubSpotUpsertAction.CheckRecord(settings, output, errors);
        if (errors.Count > 0) throw new ValidationException(errors);
        return Task.FromResult(output.ToJsonString(Compact));
    }

    /// <summary>Not used: the runtime prepares calls of a linked-record action with <see cref="PrepareFor"/>.</summary>
    public PreparedRequest? Prepare(string settingsJson, TemplateEvent @event, JsonElement data) => null;

    public LinkedRecordRef? RecordOf(string settingsJson, TemplateEvent @event, JsonElement data)
    {
        var route = _parsed.Count > 10_000 ? Parse(settingsJson) : _parsed.GetOrAdd(settingsJson, Parse);
        return route.Id.Render(@event, data) is JsonValue id && id.GetValueKind() == JsonValueKind.String && id.GetValue<string>() is { Length: > 0 and <= 200 } text
            ? new LinkedRecordRef(route.EntityType, text, HubSpotUpsert.ExternalType(route.Object))
            : null;
    }

    public PreparedRequest PrepareFor(string settingsJson, TemplateEvent @event, JsonElement data, string externalId)
    {
        var route = _parsed.Count > 10_000 ? Parse(settingsJson) : _parsed.GetOrAdd(settingsJson, Parse);
        return new PreparedRequest("DELETE", null, $"/crm/v3/objects/{route.Object}/{Uri.EscapeDataString(externalId)}", new Dictionary<string, string>(), null);
    }

    private static (string Object, JsonTemplate Id, string EntityType) Parse(string settingsJson)
    {
        var root = JsonDocument.Parse(settingsJson).RootElement;
        var @object = root.GetProperty("object").GetString()!;
        return (@object, JsonTemplate.Parse(JsonSerializer.Serialize(root.TryGetProperty("id", out var id) ? id.GetString() : HubSpotUpsertAction.DefaultId)),
            root.TryGetProperty("entity_type", out var type) ? type.GetString()! : HubSpotUpsert.DefaultEntityType(@object));
    }
}
