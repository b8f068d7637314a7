using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Integrations.Domain.Connectors.HubSpot;

/// <summary>What happened to a HubSpot record, by the event's <c>subscriptionType</c> (<c>contact.propertyChange</c> …).</summary>
public enum HubSpotChangeKind
{
    Creation,
    Deletion,
    PropertyChange,
}

/// <summary>
/// One event of a HubSpot webhook batch (developers.hubspot.com/docs/api/webhooks, "Webhook payloads"):
/// <c>eventId</c>, <c>subscriptionId</c>, <c>portalId</c>, <c>appId</c>, <c>occurredAt</c> (epoch ms),
/// <c>subscriptionType</c>, <c>attemptNumber</c>, <c>objectId</c>, <c>changeSource</c> (the change sources of a
/// property's history: <c>CRM_UI</c>, <c>IMPORT</c>, <c>INTEGRATION</c>, <c>API</c> …), <c>sourceId</c> (who made it:
/// for <c>INTEGRATION</c> the app's id, for <c>CRM_UI</c> <c>userId:…</c>), and for property changes
/// <c>propertyName</c> and <c>propertyValue</c>.
/// </summary>
/// <param name="Object">The CRM object, as the API names it: <c>contacts</c> or <c>companies</c>.</param>
public sealed record HubSpotChange(
    string EventId,
    string PortalId,
    string AppId,
    DateTimeOffset OccurredAt,
    string Object,
    HubSpotChangeKind Kind,
    string ObjectId,
    string? ChangeSource,
    string? SourceId,
    string? PropertyName,
    string? PropertyValue);

/// <summary>
/// The way back from HubSpot (ADR 0030): a webhook batch read into <see cref="HubSpotChange"/>s, which of them a
/// <c>hubspot.upsert</c> route ignores by their source, and which of our attributes a changed property is by the
/// route's own <c>properties</c> read in reverse. Pure.
/// </summary>
public static partial class HubSpotWebhook
{
    public const string Provider = "hubspot";

    /// <summary>A route's setting: <c>changeSource</c> values whose changes do not come back (default: imports).</summary>
    public const string IgnoreSourcesSetting = "ignore_sources";
    public static readonly IReadOnlyList<string> DefaultIgnoredSources = ["IMPORT"];

    /// <summary>HubSpot sends at most 100 events a request; a larger array is not HubSpot's.</summary>
    public const int MaxEvents = 100;

    /// <summary>
    /// The batch's events of contacts and companies (other subscriptions, such as deals or association changes, and
    /// events lacking an id are left out); null when the body is not a JSON array of at most <see cref="MaxEvents"/> objects.
    /// </summary>
    public static IReadOnlyList<HubSpotChange>? Parse(JsonElement body)
    {
        if (body.ValueKind != JsonValueKind.Array || body.GetArrayLength() > MaxEvents) return null;
        var changes = new List<HubSpotChange>();
        foreach (var item in body.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object) return null;
            if (KindOf(Text(item, "subscriptionType")) is not { } kind) continue;
            if (Text(item, "eventId") is not { } eventId || Text(item, "portalId") is not { } portal || Text(item, "objectId") is not { } objectId) continue;
            var occurredAt = item.TryGetProperty("occurredAt", out var at) && at.ValueKind == JsonValueKind.Number && at.TryGetInt64(out var ms)
                && ms is >= 0 and < 253402300800000 ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : DateTimeOffset.UnixEpoch;
            var change = new HubSpotChange(eventId, portal, Text(item, "appId") ?? "", occurredAt, kind.Object, kind.Kind, objectId,
                Text(item, "changeSource"), Text(item, "sourceId"), Text(item, "propertyName"), Text(item, "propertyValue"));
            if (change.Kind == HubSpotChangeKind.PropertyChange && change.PropertyName is null) continue;
            changes.Add(change);
        }
        return changes;
    }

    /// <summary>
    /// Whether a route leaves the change out: its <c>changeSource</c> is one the route ignores (compared ignoring case),
    /// or <paramref name="ignoreOwnApp"/> and it was made by the app the batch is for (<c>sourceId</c> = <c>appId</c>:
    /// our own write through the API, which HubSpot reports as <c>INTEGRATION</c>).
    /// A record our app made is always left out: it is our upsert's, which links it itself (its creation may come before that link).
    /// </summary>
    public static bool IsIgnored(HubSpotChange change, IReadOnlyCollection<string> ignoredSources, bool ignoreOwnApp)
    {
        var ours = change.AppId.Length > 0 && change.SourceId == change.AppId;
        return (change.ChangeSource is { } source && ignoredSources.Contains(source, StringComparer.OrdinalIgnoreCase))
               || (ours && (ignoreOwnApp || change.Kind == HubSpotChangeKind.Creation));
    }

    /// <summary>
    /// HubSpot property → our attribute, from a route's <c>properties</c> (property → template): a template that is exactly
    /// <c>{{ data.attributes.x }}</c> comes back as attribute <c>x</c>; any other (text around it, another path, a constant)
    /// names no attribute and does not come back. The unique id property never does.
    /// </summary>
    public static IReadOnlyDictionary<string, string> PropertiesBack(IReadOnlyDictionary<string, string> properties, string idProperty) =>
        properties.Where(p => p.Key != idProperty)
            .Select(p => (p.Key, Attribute: AttributeTemplate().Match(p.Value) is { Success: true } m ? m.Groups[1].Value : null))
            .Where(p => p.Attribute is not null)
            .ToDictionary(p => p.Key, p => p.Attribute!, StringComparer.Ordinal);

    /// <summary>The command id a change of one record in one event becomes: the same however often HubSpot delivers it.</summary>
    public static string CommandKey(Guid connectionId, HubSpotChange change) =>
        $"hubspot-change:{connectionId}:{change.Object}:{change.ObjectId}:{change.EventId}";

    private static (string Object, HubSpotChangeKind Kind)? KindOf(string? subscriptionType) => subscriptionType switch
    {
        "contact.creation" => (HubSpotUpsert.Contacts, HubSpotChangeKind.Creation),
        "contact.deletion" => (HubSpotUpsert.Contacts, HubSpotChangeKind.Deletion),
        "contact.propertyChange" => (HubSpotUpsert.Contacts, HubSpotChangeKind.PropertyChange),
        "company.creation" => (HubSpotUpsert.Companies, HubSpotChangeKind.Creation),
        "company.deletion" => (HubSpotUpsert.Companies, HubSpotChangeKind.Deletion),
        "company.propertyChange" => (HubSpotUpsert.Companies, HubSpotChangeKind.PropertyChange),
        _ => null,
    };

    /// <summary>HubSpot sends ids as numbers (eventId, portalId, objectId, appId) and values as text; both read as text.</summary>
    private static string? Text(JsonElement item, string name) =>
        !item.TryGetProperty(name, out var value) ? null
        : value.ValueKind == JsonValueKind.String ? value.GetString()
        : value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number) ? number.ToString(CultureInfo.InvariantCulture)
        : null;

    [GeneratedRegex(@"^\{\{\s*data\.attributes\.([A-Za-z_][A-Za-z0-9_]{0,99})\s*\}\}$")]
    private static partial Regex AttributeTemplate();
}

/// <summary>
/// What of HubSpot's changes a <c>hubspot.upsert</c> route brings back (its stored settings, defaults filled in by the action's check).
/// </summary>
/// <param name="ChangesBack">Property changes of linked records come back as <c>entity.update</c> (<c>changes_back</c>, default on).</param>
/// <param name="IgnoredSources"><c>changeSource</c> values that never come back (<c>ignore_sources</c>, default <c>IMPORT</c>).</param>
/// <param name="IgnoreOwnChanges">Changes our app made (<c>sourceId</c> = <c>appId</c>) never come back (<c>ignore_own_changes</c>, default on).</param>
/// <param name="CreateBack">A record made in HubSpot that is linked with none of ours becomes <c>entity.create</c> (<c>create_back</c>, default off).</param>
/// <param name="DeleteBack">A linked record deleted in HubSpot becomes <c>entity.delete</c> (<c>delete_back</c>, default off: the product keeps its record).</param>
public sealed record HubSpotBackSettings(
    string Object, string IdProperty, string EntityType, IReadOnlyDictionary<string, string> PropertiesBack,
    bool ChangesBack, IReadOnlyList<string> IgnoredSources, bool IgnoreOwnChanges, bool CreateBack, bool DeleteBack)
{
    public const string ChangesBackSetting = "changes_back";
    public const string IgnoreOwnChangesSetting = "ignore_own_changes";
    public const string CreateBackSetting = "create_back";
    public const string DeleteBackSetting = "delete_back";

    /// <summary>A stored <c>hubspot.upsert</c> route's settings read for the way back.</summary>
    public static HubSpotBackSettings Of(JsonElement settings)
    {
        var @object = settings.GetProperty("object").GetString()!;
        var idProperty = settings.GetProperty("id_property").GetString()!;
        var properties = settings.TryGetProperty("properties", out var p) && p.ValueKind == JsonValueKind.Object
            ? p.EnumerateObject().Where(x => x.Value.ValueKind == JsonValueKind.String).ToDictionary(x => x.Name, x => x.Value.GetString()!, StringComparer.Ordinal)
            : new Dictionary<string, string>(HubSpotUpsert.DefaultProperties(@object));
        var ignored = settings.TryGetProperty(HubSpotWebhook.IgnoreSourcesSetting, out var i) && i.ValueKind == JsonValueKind.Array
            ? i.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.String).Select(x => x.GetString()!).ToList()
            : [.. HubSpotWebhook.DefaultIgnoredSources];
        return new HubSpotBackSettings(@object, idProperty,
            settings.TryGetProperty("entity_type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()! : HubSpotUpsert.DefaultEntityType(@object),
            HubSpotWebhook.PropertiesBack(properties, idProperty),
            Flag(settings, ChangesBackSetting, true), ignored, Flag(settings, IgnoreOwnChangesSetting, true),
            Flag(settings, CreateBackSetting, false), Flag(settings, DeleteBackSetting, false));
    }

    private static bool Flag(JsonElement settings, string name, bool fallback) =>
        settings.TryGetProperty(name, out var value) && value.ValueKind is JsonValueKind.True or JsonValueKind.False ? value.GetBoolean() : fallback;
}
