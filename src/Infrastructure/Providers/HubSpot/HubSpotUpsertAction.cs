using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Integrations.Application.Common.Exceptions;
using Integrations.Application.Connectors;
using Integrations.Domain.Connectors;
using Integrations.Domain.Connectors.HubSpot;

namespace Integrations.Infrastructure.Providers.HubSpot;

/// <summary>
/// The <c>hubspot.upsert</c> action: our record as a HubSpot contact or company, made or updated by
/// its external id (<see cref="HubSpotUpsert"/>, <c>POST /crm/v3/objects/{object}/batch/upsert</c>). Settings:
/// <code>
/// { "object": "contacts",                                 contacts or companies
///   "id_property": "product_contact_id",                  a unique-value property of the object at HubSpot (create it once in HubSpot)
///   "id": "{{ data.entity_id }}",                         optional: our record's id (default: the entity.* event's entity_id)
///   "properties": { "email": "{{ data.attributes.email }}" }  optional: HubSpot property → template; default: the standard ones
///   "entity_type": "contact"                              optional: our record's type, for the link (default: contact / company)
/// }
/// </code>
/// A succeeded upsert links our record with HubSpot's (<c>hubspot.contact</c> / <c>hubspot.company</c> and
/// HubSpot's record id) in the connection's identity map (<see cref="ILinkingConnectorAction"/>).
/// </summary>
public sealed partial class HubSpotUpsertAction : IConnectorAction, ILinkingConnectorAction, IWritingConnectorAction, ILinkPreferringAction, IFollowingConnectorAction
{
    private static readonly string[] Settings = ["object", "id_property", "id", "properties", "entity_type", Company, HubSpotWebhook.IgnoreSourcesSetting,
        HubSpotBackSettings.ChangesBackSetting, HubSpotBackSettings.IgnoreOwnChangesSetting, HubSpotBackSettings.CreateBackSetting, HubSpotBackSettings.DeleteBackSetting];
    internal const string DefaultId = "{{ data.entity_id }}";
    private const string Company = "company_id";
    private static readonly JsonSerializerOptions Compact = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private readonly ConcurrentDictionary<string, HubSpotUpsertTemplate> _parsed = new(StringComparer.Ordinal);

    public string Name => HubSpotUpsert.Action;

    public Task<string> CheckSettingsAsync(JsonElement settings, CancellationToken ct)
    {
        var errors = ActionSettings.UnknownFields(settings, Name, Settings);
        var output = new JsonObject();
        var @object = CheckRecord(settings, output, errors);
        var idProperty = String(settings, "id_property");
        if (idProperty is null || !PropertyName().IsMatch(idProperty) || idProperty is "email" or "hs_object_id")
            errors.Add(new("settings.id_property", "invalid_id_property",
                "settings.id_property is the internal name of a unique-value property of the object at HubSpot that holds our record's id (e.g. product_contact_id)."));
        else output["id_property"] = idProperty;
        output["properties"] = Properties(settings, @object, errors);
        if (settings.TryGetProperty(Company, out var company) && company.ValueKind != JsonValueKind.Null)
        {
            if (@object != HubSpotUpsert.Contacts || company.ValueKind != JsonValueKind.String || company.GetString()!.Trim().Length == 0)
                errors.Add(new("settings.company_id", "invalid_template", "settings.company_id (contacts only) is a template naming our id of the contact's company, such as {{ data.attributes.company_id }}."));
            else if (ActionSettings.TryParse(() => JsonTemplate.Parse(company.GetRawText()), "settings.company_id", errors))
                output[Company] = company.GetString();
        }
        WayBack(settings, output, errors);
        if (errors.Count > 0) throw new ValidationException(errors);
        return Task.FromResult(output.ToJsonString(Compact));
    }

    /// <returns>Null for an event that names no id to upsert by (settings.id renders empty): nothing to send.</returns>
    public PreparedRequest? Prepare(string settingsJson, TemplateEvent @event, JsonElement data) =>
        PrepareWith(settingsJson, @event, data, null, new Dictionary<string, string>());

    public LinkedRecords? RecordsOf(string settingsJson, TemplateEvent @event, JsonElement data)
    {
        var template = Template(settingsJson);
        if (HubSpotUpsert.Build(template, @event, data)?["inputs"]?[0]?["id"]?.GetValue<string>() is not { } id) return null;
        var related = new Dictionary<string, LinkedRecordRef>(StringComparer.Ordinal);
        if (HubSpotUpsert.CompanyIdOf(template, @event, data) is { } company)
            related[Company] = new LinkedRecordRef(HubSpotUpsert.DefaultEntityType(HubSpotUpsert.Companies), company, HubSpotUpsert.ExternalType(HubSpotUpsert.Companies));
        return new LinkedRecords(new LinkedRecordRef(template.EntityType, id, HubSpotUpsert.ExternalType(template.Object)), related);
    }

    /// <summary>
    /// A record not linked yet is upserted by our id; a linked one updated by HubSpot's id (<c>PATCH /crm/v3/objects/{object}/{id}</c>,
    /// "Update"), since a record made in HubSpot and linked by create_back holds our id in the unique property only once this writes it.
    /// Our record's type rides along, not sent (the link made from the answer needs it), with the linked company to associate.
    /// </summary>
    public PreparedRequest? PrepareWith(string settingsJson, TemplateEvent @event, JsonElement data, string? externalId, IReadOnlyDictionary<string, string> related)
    {
        var template = Template(settingsJson);
        if (HubSpotUpsert.Build(template, @event, data) is not { } body) return null;
        var carry = related.TryGetValue(Company, out var company)
            ? new JsonObject { ["entity_type"] = template.EntityType, [Company] = company }.ToJsonString(Compact)
            : template.EntityType;
        return externalId is null
            ? new PreparedRequest("POST", null, $"/crm/v3/objects/{template.Object}/batch/upsert", new Dictionary<string, string>(), body.ToJsonString(Compact)) { Carry = carry }
            : new PreparedRequest("PATCH", null, $"/crm/v3/objects/{template.Object}/{Uri.EscapeDataString(externalId)}", new Dictionary<string, string>(),
                new JsonObject { ["properties"] = body["inputs"]![0]!["properties"]!.DeepClone() }.ToJsonString(Compact)) { Carry = carry };
    }

    /// <summary>After a contact's upsert or update whose company is linked: associate the two (v4, the default association).</summary>
    public FollowUp After(PreparedRequest request, string? answer)
    {
        if (request.Method == "PUT" || Carried(request.Carry).Company is not { } company) return new FollowUp.None();
        var contact = Answer(answer) is { } parsed ? HubSpotUpsert.AnsweredIdOf(parsed) : null;
        return contact is null
            ? new FollowUp.Refused($"HubSpot's answer named no contact id (or was larger than {IFollowingConnectorAction.MaxAnswerBytes / 1024} KiB): company {company} was not associated.")
            : new FollowUp.Next(new PreparedRequest("PUT", null, HubSpotUpsert.AssociationPath(contact, company), new Dictionary<string, string>(), null), null);
    }

    public MadeRecordLink? LinkOf(PreparedRequest request, string? answerExcerpt)
    {
        if (request.Method != "POST" || request.Body is null || answerExcerpt is null || Carried(request.Carry).EntityType is not { } entityType
            || request.Path is not { } path) return null;
        try
        {
            var ours = HubSpotUpsert.IdOf(JsonDocument.Parse(request.Body).RootElement);
            var theirs = HubSpotUpsert.RecordIdOf(JsonDocument.Parse(answerExcerpt).RootElement);
            var @object = HubSpotUpsert.Objects.FirstOrDefault(o => path.StartsWith($"/crm/v3/objects/{o}/", StringComparison.Ordinal));
            return ours is null || theirs is null || @object is null ? null : new MadeRecordLink(entityType, ours, HubSpotUpsert.ExternalType(@object), theirs);
        }
        catch (JsonException)
        {
            // An answer cut at the excerpt's kilobyte, or not JSON: no link rather than a wrong one.
            return null;
        }
    }

    /// <summary>The carried entity type and company to associate: plain text (the type) or, with a company, a JSON object.</summary>
    private static (string? EntityType, string? Company) Carried(string? carry)
    {
        if (carry is null || !carry.StartsWith('{')) return (carry, null);
        var root = JsonDocument.Parse(carry).RootElement;
        return (root.GetProperty("entity_type").GetString(), root.TryGetProperty(Company, out var company) ? company.GetString() : null);
    }

    private static JsonElement? Answer(string? answer)
    {
        if (answer is null) return null;
        try
        {
            return JsonDocument.Parse(answer).RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private HubSpotUpsertTemplate Template(string settingsJson) => _parsed.Count > 10_000 ? Parse(settingsJson) : _parsed.GetOrAdd(settingsJson, Parse);

    /// <summary>The properties an update of a linked record sets, remembered so HubSpot's webhooks reporting them are not taken for changes (ADR 0030).</summary>
    public IReadOnlyList<ProviderWrite> WritesOf(PreparedRequest request)
    {
        if (request.Method != "PATCH" || request.Body is null || request.Path is not { } path) return [];
        var @object = HubSpotUpsert.Objects.FirstOrDefault(o => path.StartsWith($"/crm/v3/objects/{o}/", StringComparison.Ordinal));
        if (@object is null) return [];
        var id = Uri.UnescapeDataString(path[$"/crm/v3/objects/{@object}/".Length..]);
        return JsonDocument.Parse(request.Body).RootElement.GetProperty("properties").EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.String)
            .Select(p => new ProviderWrite(HubSpotUpsert.ExternalType(@object), id, p.Name, p.Value.GetString()!)).ToList();
    }

    /// <summary>object, id and entity_type, which every HubSpot action names the same way; returns the object when valid.</summary>
    internal static string? CheckRecord(JsonElement settings, JsonObject output, List<ValidationError> errors)
    {
        var @object = String(settings, "object");
        if (@object is null || !HubSpotUpsert.Objects.Contains(@object))
            errors.Add(new("settings.object", "invalid_object", $"settings.object is one of {string.Join(", ", HubSpotUpsert.Objects)}."));
        else output["object"] = @object;
        var id = settings.TryGetProperty("id", out var i) && i.ValueKind != JsonValueKind.Null ? i : default;
        if (id.ValueKind is not (JsonValueKind.Undefined or JsonValueKind.String) || (id.ValueKind == JsonValueKind.String && id.GetString()!.Trim().Length == 0))
            errors.Add(new("settings.id", "invalid_template", "settings.id is a text template naming our record's id, such as {{ data.entity_id }}."));
        else if (id.ValueKind == JsonValueKind.String && ActionSettings.TryParse(() => JsonTemplate.Parse(id.GetRawText()), "settings.id", errors))
            output["id"] = id.GetString();
        var entityType = String(settings, "entity_type");
        if (settings.TryGetProperty("entity_type", out var e) && e.ValueKind != JsonValueKind.Null && (entityType is null || !EntityType().IsMatch(entityType)))
            errors.Add(new("settings.entity_type", "invalid_entity", "settings.entity_type is our record's type in lower case (contact, customer)."));
        else if (entityType is not null) output["entity_type"] = entityType;
        return @object is not null && HubSpotUpsert.Objects.Contains(@object) ? @object : null;
    }

    /// <summary>What of HubSpot's changes comes back (<see cref="HubSpotBackSettings"/>), stored with its defaults.</summary>
    private static void WayBack(JsonElement settings, JsonObject output, List<ValidationError> errors)
    {
        foreach (var (name, fallback) in new[]
                 {
                     (HubSpotBackSettings.ChangesBackSetting, true), (HubSpotBackSettings.IgnoreOwnChangesSetting, true),
                     (HubSpotBackSettings.CreateBackSetting, false), (HubSpotBackSettings.DeleteBackSetting, false),
                 })
        {
            if (!settings.TryGetProperty(name, out var flag) || flag.ValueKind == JsonValueKind.Null) output[name] = fallback;
            else if (flag.ValueKind is JsonValueKind.True or JsonValueKind.False) output[name] = flag.GetBoolean();
            else errors.Add(new($"settings.{name}", "invalid_value", $"settings.{name} is true or false."));
        }
        if (!settings.TryGetProperty(HubSpotWebhook.IgnoreSourcesSetting, out var sources) || sources.ValueKind == JsonValueKind.Null)
            output[HubSpotWebhook.IgnoreSourcesSetting] = new JsonArray([.. HubSpotWebhook.DefaultIgnoredSources.Select(s => (JsonNode?)JsonValue.Create(s))]);
        else if (sources.ValueKind != JsonValueKind.Array || sources.GetArrayLength() > 50
                 || sources.EnumerateArray().Any(s => s.ValueKind != JsonValueKind.String || !ChangeSource().IsMatch(s.GetString()!)))
            errors.Add(new("settings.ignore_sources", "invalid_value",
                "settings.ignore_sources lists HubSpot change sources whose changes do not come back, in capitals (IMPORT, CRM_UI, INTEGRATION …); at most 50."));
        else output[HubSpotWebhook.IgnoreSourcesSetting] = new JsonArray([.. sources.EnumerateArray().Select(s => (JsonNode?)JsonValue.Create(s.GetString()))]);
    }

    private static JsonObject Properties(JsonElement settings, string? @object, List<ValidationError> errors)
    {
        var output = new JsonObject();
        if (!settings.TryGetProperty("properties", out var properties) || properties.ValueKind == JsonValueKind.Null)
        {
            if (@object is not null)
                foreach (var (name, template) in HubSpotUpsert.DefaultProperties(@object)) output[name] = template;
            return output;
        }
        if (properties.ValueKind != JsonValueKind.Object || properties.EnumerateObject().Count() > 200)
        {
            errors.Add(new("settings.properties", "invalid_properties", "settings.properties maps HubSpot property names to templates (at most 200)."));
            return output;
        }
        foreach (var property in properties.EnumerateObject())
        {
            var where = $"settings.properties.{property.Name}";
            if (!PropertyName().IsMatch(property.Name) || property.Name == "hs_object_id")
                errors.Add(new(where, "invalid_property", $"{where}: a HubSpot property's internal name in lower case (firstname, lifecyclestage, a custom property)."));
            else if (property.Value.ValueKind != JsonValueKind.String)
                errors.Add(new(where, "invalid_template", $"{where} is a text template such as \"{{{{ data.attributes.email }}}}\"."));
            else if (ActionSettings.TryParse(() => JsonTemplate.Parse(property.Value.GetRawText()), where, errors))
                output[property.Name] = property.Value.GetString();
        }
        return output;
    }

    private static string? String(JsonElement settings, string name) =>
        settings.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static HubSpotUpsertTemplate Parse(string settingsJson)
    {
        var root = JsonDocument.Parse(settingsJson).RootElement;
        var @object = root.GetProperty("object").GetString()!;
        return new HubSpotUpsertTemplate(
            @object,
            root.GetProperty("id_property").GetString()!,
            JsonTemplate.Parse(JsonSerializer.Serialize(root.TryGetProperty("id", out var id) ? id.GetString() : DefaultId)),
            root.GetProperty("properties").EnumerateObject().ToDictionary(p => p.Name, p => JsonTemplate.Parse(p.Value.GetRawText()), StringComparer.Ordinal),
            root.TryGetProperty("entity_type", out var type) ? type.GetString()! : HubSpotUpsert.DefaultEntityType(@object),
            root.TryGetProperty(Company, out var company) ? JsonTemplate.Parse(company.GetRawText()) : null);
    }

    /// <summary>HubSpot's internal property names: lower case letters, digits and _, starting with a letter.</summary>
    [GeneratedRegex("^[a-z][a-z0-9_]{0,99}$")]
    private static partial Regex PropertyName();

    [GeneratedRegex("^[a-z][a-z0-9_]{0,63}$")]
    private static partial Regex EntityType();

    [GeneratedRegex("^[A-Z][A-Z0-9_]{0,49}$")]
    private static partial Regex ChangeSource();
}
