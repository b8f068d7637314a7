using System.Text.Json;
using System.Text.Json.Nodes;
using Integrations.Fakes.Common.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Integrations.Fakes.HubSpot;

/// <summary>
/// The HubSpot API subset the platform calls, behind the OAuth core's bearer tokens (a token reaches its own portal):
/// <list type="bullet">
/// <item><c>GET /account-info/v3/details</c> (developers.hubspot.com/docs/api/settings/account-information-api):
/// <c>{portalId, accountType, timeZone, companyCurrency, additionalCurrencies, utcOffset, utcOffsetMilliseconds, uiDomain, dataHostingLocation}</c>.</item>
/// <item><c>POST /crm/v3/objects/{contacts|companies}/batch/upsert</c> (docs/api/crm/contacts, "Create or update a batch of contacts by
/// unique property values"): <c>{"inputs": [{"idProperty", "id", "properties"}]}</c>, 1–100 inputs, <c>idProperty</c> a unique-value
/// property of the object, every property one the object has, values as text → <c>200 {status: "COMPLETE", results: [{id, properties,
/// createdAt, updatedAt, archived, new}], startedAt, completedAt}</c>.</item>
/// <item><c>PATCH /crm/v3/objects/{contacts|companies}/{id}</c> ("Update"): <c>{"properties"}</c> → <c>200</c> the record.</item>
/// <item><c>PUT /crm/v4/objects/contacts/{id}/associations/default/companies/{id}</c> (docs/api/crm/associations, v4 "Associate records
/// (default)"): → <c>200 {status: "COMPLETE", results: [{from, to, associationSpec: {associationCategory: "HUBSPOT_DEFINED", associationTypeId: 1}}]}</c>;
/// a contact or company the portal does not have → <c>404</c>.</item>
/// <item><c>DELETE /crm/v3/objects/{contacts|companies}/{id}</c> ("Archive"): the record to the recycling bin → <c>204</c>;
/// an id the portal does not have (or archived already) → <c>404 OBJECT_NOT_FOUND</c>.</item>
/// </list>
/// Every answer of the API carries the burst limit's headers (docs/api/usage-details: <c>X-HubSpot-RateLimit-Max</c>,
/// <c>-Remaining</c>, <c>-Interval-Milliseconds</c>; OAuth calls have no daily headers); a call over it is
/// <c>429 {"status":"error","message":"You have reached your ten_secondly_rolling limit.","errorType":"RATE_LIMIT","policyName":"TEN_SECONDLY_ROLLING",…}</c>.
/// Errors in HubSpot's shape (docs/api/intro-to-auth, "Error handling"): <c>{"status":"error","message","correlationId","category"}</c>.
/// </summary>
public static class HubSpotCrmApi
{
    private static readonly JsonSerializerOptions HubSpotJson = new(JsonSerializerDefaults.General);

    public static void MapHubSpotCrmApi(this WebApplication app)
    {
        var api = app.MapGroup("").RequireFakeAuthentication();
        api.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            var portals = http.RequestServices.GetRequiredService<HubSpotPortals>();
            var clock = http.RequestServices.GetRequiredService<TimeProvider>();
            var remaining = portals.TakeCall(ResourceAuthentication.AccountOf(http).Id, clock.GetUtcNow());
            http.Response.Headers["X-HubSpot-RateLimit-Max"] = portals.BurstLimit.ToString(System.Globalization.CultureInfo.InvariantCulture);
            http.Response.Headers["X-HubSpot-RateLimit-Remaining"] = (remaining ?? 0).ToString(System.Globalization.CultureInfo.InvariantCulture);
            http.Response.Headers["X-HubSpot-RateLimit-Interval-Milliseconds"] = HubSpotPortals.WindowMilliseconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (remaining is null)
                return Results.Json(new
                {
                    status = "error", message = "You have reached your ten_secondly_rolling limit.", errorType = "RATE_LIMIT",
                    correlationId = Guid.NewGuid(), policyName = "TEN_SECONDLY_ROLLING",
                }, HubSpotJson, statusCode: StatusCodes.Status429TooManyRequests);
            return await next(context);
        });

        api.MapGet("/account-info/v3/details", (HttpContext context) =>
        {
            var portal = ResourceAuthentication.AccountOf(context);
            return Results.Json(new
            {
                portalId = long.Parse(portal.Id, System.Globalization.CultureInfo.InvariantCulture), accountType = "STANDARD", timeZone = "Europe/Amsterdam",
                companyCurrency = "EUR", additionalCurrencies = Array.Empty<string>(), utcOffset = "+01:00", utcOffsetMilliseconds = 3600000,
                uiDomain = portal.Name, dataHostingLocation = "eu1",
            }, HubSpotJson);
        });

        api.MapDelete("/crm/v3/objects/{objectType}/{id}", Archive);
        api.MapPatch("/crm/v3/objects/{objectType}/{id}", Update);
        api.MapPut("/crm/v4/objects/contacts/{contactId}/associations/default/companies/{companyId}", (string contactId, string companyId, HttpContext context,
            HubSpotPortals portals, TimeProvider clock) =>
            portals.Associate(ResourceAuthentication.AccountOf(context).Id, contactId, companyId)
                ? Results.Json(new
                {
                    status = "COMPLETE", startedAt = clock.GetUtcNow(), completedAt = clock.GetUtcNow(),
                    results = new[] { new { from = new { id = contactId }, to = new { id = companyId }, associationSpec = new { associationCategory = "HUBSPOT_DEFINED", associationTypeId = 1 } } },
                }, HubSpotJson)
                : Error(404, "OBJECT_NOT_FOUND", "One or more objects were not found."));

        api.MapPost("/crm/v3/objects/{objectType}/batch/upsert", async (string objectType, HttpContext context, HubSpotPortals portals, HubSpotWebhooks webhooks,
            TimeProvider clock) =>
        {
            if (!HubSpotPortals.Properties.TryGetValue(objectType, out var known)) return Error(404, "OBJECT_NOT_FOUND", $"Unable to infer object type from: {objectType}");
            JsonObject? body;
            try
            {
                body = await JsonNode.ParseAsync(context.Request.Body) as JsonObject;
            }
            catch (JsonException)
            {
                return Error(400, "VALIDATION_ERROR", "Invalid input JSON on line 1");
            }
            if (body?["inputs"] is not JsonArray inputs || inputs.Count is 0 or > 100)
                return Error(400, "VALIDATION_ERROR", "inputs: between 1 and 100 inputs are required");
            var checkedInputs = new List<(string IdProperty, string Id, JsonObject Properties)>();
            foreach (var input in inputs)
            {
                if (input is not JsonObject item || Text(item["idProperty"]) is not { } idProperty || Text(item["id"]) is not { Length: > 0 } id
                    || item["properties"] is not JsonObject properties)
                    return Error(400, "VALIDATION_ERROR", "Each input needs idProperty, id and properties.");
                if (HubSpotPortals.UniqueProperties[objectType] != idProperty)
                    return Error(400, "VALIDATION_ERROR", $"Property \"{idProperty}\" is not a unique property of {objectType}.");
                var invalid = properties.Where(p => !known.Contains(p.Key)).Select(p => p.Key).ToList();
                if (invalid.Count > 0)
                    return Error(400, "VALIDATION_ERROR", "Property values were not valid: " + JsonSerializer.Serialize(invalid.Select(name => new
                    {
                        isValid = false, message = $"Property \"{name}\" does not exist", error = "PROPERTY_DOESNT_EXIST", name,
                    })));
                if (properties.Any(p => p.Value is not JsonValue v || v.GetValueKind() != JsonValueKind.String))
                    return Error(400, "VALIDATION_ERROR", "Property values must be strings.");
                checkedInputs.Add((idProperty, id, properties));
            }
            var portal = ResourceAuthentication.AccountOf(context).Id;
            var started = clock.GetUtcNow();
            var upserted = checkedInputs.Select(i => portals.Upsert(portal, objectType, i.IdProperty, i.Id, i.Properties, started)).ToList();
            // Changes made with an app's token: INTEGRATION, the app's id as the source; only values that changed are reported.
            var ours = new ChangeSource("INTEGRATION", webhooks.AppId);
            foreach (var r in upserted) webhooks.Send(new RecordChange(r.Record, r.New ? "creation" : "propertyChange", r.Changed), ours);
            var results = upserted.Select(r => new
            {
                id = r.Record.Id, properties = r.Record.Properties, createdAt = r.Record.CreatedAt, updatedAt = r.Record.UpdatedAt, archived = false, @new = r.New,
            }).ToList();
            return Results.Json(new { status = "COMPLETE", results, startedAt = started, completedAt = clock.GetUtcNow() }, HubSpotJson);
        });
    }

    private static IResult Archive(string objectType, string id, HttpContext context, HubSpotPortals portals, HubSpotWebhooks webhooks, TimeProvider clock)
    {
        if (!HubSpotPortals.Properties.ContainsKey(objectType)) return Error(404, "OBJECT_NOT_FOUND", $"Unable to infer object type from: {objectType}");
        if (!portals.Archive(ResourceAuthentication.AccountOf(context).Id, objectType, id, clock.GetUtcNow()))
            return Error(404, "OBJECT_NOT_FOUND", "Object not found.  objectId are usually numeric.");
        webhooks.Send(new RecordChange(portals.Find(id)!, "deletion", new Dictionary<string, string>()), new ChangeSource("INTEGRATION", webhooks.AppId));
        return Results.NoContent();
    }

    /// <summary>
    /// "Update" (docs/api/crm/contacts): <c>PATCH /crm/v3/objects/{object}/{id}</c> with <c>{"properties"}</c> → <c>200</c> the record; an id the
    /// portal does not have (or archived) → <c>404 OBJECT_NOT_FOUND</c>; a property the object lacks → <c>400 VALIDATION_ERROR</c>.
    /// </summary>
    private static async Task<IResult> Update(string objectType, string id, HttpContext context, HubSpotPortals portals, HubSpotWebhooks webhooks, TimeProvider clock)
    {
        if (!HubSpotPortals.Properties.TryGetValue(objectType, out var known)) return Error(404, "OBJECT_NOT_FOUND", $"Unable to infer object type from: {objectType}");
        JsonObject? properties;
        try
        {
            properties = (await JsonNode.ParseAsync(context.Request.Body) as JsonObject)?["properties"] as JsonObject;
        }
        catch (JsonException)
        {
            return Error(400, "VALIDATION_ERROR", "Invalid input JSON on line 1");
        }
        if (properties is null || properties.Any(p => !known.Contains(p.Key) || p.Value is not JsonValue v || v.GetValueKind() != JsonValueKind.String))
            return Error(400, "VALIDATION_ERROR", "properties: every property must exist on the object and have a text value.");
        var portal = ResourceAuthentication.AccountOf(context).Id;
        if (portals.Find(id) is not { Archived: false } found || found.Portal != portal || found.Object != objectType
            || portals.Edit(id, properties, clock.GetUtcNow()) is not { } edited)
            return Error(404, "OBJECT_NOT_FOUND", "Object not found.  objectId are usually numeric.");
        webhooks.Send(new RecordChange(edited.Record, "propertyChange", edited.Changed), new ChangeSource("INTEGRATION", webhooks.AppId));
        var r = edited.Record;
        return Results.Json(new { id = r.Id, properties = r.Properties, createdAt = r.CreatedAt, updatedAt = r.UpdatedAt, archived = false }, HubSpotJson);
    }

    private static string? Text(JsonNode? node) => node is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    private static IResult Error(int status, string category, string message) =>
        Results.Json(new { status = "error", message, correlationId = Guid.NewGuid(), category }, HubSpotJson, statusCode: status);
}
