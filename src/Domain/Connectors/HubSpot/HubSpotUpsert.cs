using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Integrations.Domain.Connectors.HubSpot;

/// <summary>What a <c>hubspot.upsert</c> route makes of an event: the object, the unique property it upserts by, our record's id and the mapped properties.</summary>
/// <param name="Object">The CRM object: <c>contacts</c> or <c>companies</c>.</param>
/// <param name="IdProperty">A unique-value property of the object at HubSpot holding our record's id (the external id).</param>
/// <param name="Id">Our record's id, the value upserted by, as a template (<c>{{ data.entity_id }}</c>).</param>
/// <param name="Properties">HubSpot property name → template.</param>
/// <param name="EntityType">Our record's type the made record is linked with (<c>contact</c>, <c>company</c>).</param>
/// <param name="CompanyId">Contacts only: our id of the contact's company, as a template; its linked HubSpot company is associated with the contact.</param>
public sealed record HubSpotUpsertTemplate(string Object, string IdProperty, JsonTemplate Id, IReadOnlyDictionary<string, JsonTemplate> Properties, string EntityType,
    JsonTemplate? CompanyId = null);

/// <summary>
/// The body of HubSpot's "Create or update a batch of objects by unique property values"
/// (<c>POST /crm/v3/objects/{object}/batch/upsert</c>, developers.hubspot.com/docs/api/crm/contacts, "Upsert"):
/// <c>{"inputs": [{"idProperty", "id", "properties"}]}</c>, one input per event. HubSpot stores every
/// property as text: numbers and booleans are sent as their invariant text, and a mapped value that
/// renders empty or null is left out, so an event that lacks a field never blanks it at HubSpot. Pure.
/// </summary>
public static class HubSpotUpsert
{
    public const string Action = "hubspot.upsert";
    /// <summary>Archives the HubSpot record linked with ours (HubSpot's "Archive": <c>DELETE /crm/v3/objects/{object}/{id}</c>, to the recycling bin).</summary>
    public const string ArchiveAction = "hubspot.archive";
    public const string Contacts = "contacts";
    public const string Companies = "companies";
    public static readonly IReadOnlyList<string> Objects = [Contacts, Companies];

    /// <summary>HubSpot's batch inputs are at most 100; property values at most 65,536 characters.</summary>
    public const int MaxValueLength = 65_536;

    /// <summary>
    /// The properties a route maps when it names none: HubSpot's standard contact and company
    /// properties from the attributes an <c>entity.*</c> event of that kind usually carries.
    /// </summary>
    public static IReadOnlyDictionary<string, string> DefaultProperties(string @object) => @object == Contacts
        ? new Dictionary<string, string>
        {
            ["email"] = "{{ data.attributes.email }}",
            ["firstname"] = "{{ data.attributes.first_name }}",
            ["lastname"] = "{{ data.attributes.last_name }}",
            ["phone"] = "{{ data.attributes.phone }}",
            ["jobtitle"] = "{{ data.attributes.job_title }}",
        }
        : new Dictionary<string, string>
        {
            ["name"] = "{{ data.attributes.name }}",
            ["domain"] = "{{ data.attributes.domain }}",
            ["phone"] = "{{ data.attributes.phone }}",
            ["city"] = "{{ data.attributes.city }}",
            ["country"] = "{{ data.attributes.country }}",
        };

    /// <summary>Our record's default type for an object: <c>contact</c>, <c>company</c>.</summary>
    public static string DefaultEntityType(string @object) => @object == Contacts ? "contact" : "company";

    /// <summary>The identity map's type of a HubSpot record (<c>hubspot.contact</c>, <c>hubspot.company</c>).</summary>
    public static string ExternalType(string @object) => "hubspot." + DefaultEntityType(@object);

    /// <summary>The request body, or null when the event names no id to upsert by (no call is worth making).</summary>
    public static JsonObject? Build(HubSpotUpsertTemplate template, TemplateEvent @event, JsonElement data)
    {
        if (Text(template.Id.Render(@event, data)) is not { Length: > 0 and <= 200 } id) return null;
        var properties = new JsonObject();
        foreach (var (name, value) in template.Properties)
            if (Text(value.Render(@event, data)) is { Length: > 0 } text)
                properties[name] = text.Length <= MaxValueLength ? text : text[..MaxValueLength];
        // HubSpot sets the unique property from "id" on a record the upsert makes; sent as a property too, a mapping cannot overwrite it.
        properties[template.IdProperty] = id;
        return new JsonObject
        {
            ["inputs"] = new JsonArray(new JsonObject { ["idProperty"] = template.IdProperty, ["id"] = id, ["properties"] = properties }),
        };
    }

    /// <summary>The upserted value of a request body (our record's id), for the link a call makes.</summary>
    public static string? IdOf(JsonElement body) =>
        body.ValueKind == JsonValueKind.Object && body.TryGetProperty("inputs", out var inputs) && inputs.ValueKind == JsonValueKind.Array && inputs.GetArrayLength() == 1
        && inputs[0].TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString() : null;

    /// <summary>HubSpot's id of the one record an upsert answer names (<c>results[0].id</c>), or null.</summary>
    public static string? RecordIdOf(JsonElement answer) =>
        answer.ValueKind == JsonValueKind.Object && answer.TryGetProperty("results", out var results) && results.ValueKind == JsonValueKind.Array
        && results.GetArrayLength() == 1 && results[0].TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString() : null;

    /// <summary>Our id of the contact's company (settings.company_id rendered), or null when the route names none or the event has none.</summary>
    public static string? CompanyIdOf(HubSpotUpsertTemplate template, TemplateEvent @event, JsonElement data) =>
        template.CompanyId is { } company && Text(company.Render(@event, data)) is { Length: > 0 and <= 200 } id ? id : null;

    /// <summary>
    /// "Associate records (default)" of the v4 associations API (developers.hubspot.com/docs/api/crm/associations):
    /// <c>PUT /crm/v4/objects/contacts/{contactId}/associations/default/companies/{companyId}</c>, no body; the default (unlabelled) association.
    /// </summary>
    public static string AssociationPath(string contactId, string companyId) =>
        $"/crm/v4/objects/contacts/{Uri.EscapeDataString(contactId)}/associations/default/companies/{Uri.EscapeDataString(companyId)}";

    /// <summary>HubSpot's id of the record an upsert (<c>results[0].id</c>) or an update (<c>id</c>) answered with, or null.</summary>
    public static string? AnsweredIdOf(JsonElement answer) =>
        RecordIdOf(answer) ?? (answer.ValueKind == JsonValueKind.Object && answer.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString() : null);

    private static string? Text(JsonNode? node) => node switch
    {
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>().Trim(),
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => v.ToJsonString(),
        JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False => v.GetValue<bool>().ToString(CultureInfo.InvariantCulture).ToLowerInvariant(),
        _ => null,
    };
}
