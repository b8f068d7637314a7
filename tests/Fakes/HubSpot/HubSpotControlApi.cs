using System.Text.Json.Nodes;
using Integrations.Fakes.Common.Control;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Integrations.Fakes.HubSpot;

/// <summary>
/// The HubSpot fake's part of the control API (<c>/_fake/hubspot/…</c>): the CRM records, changed as someone in HubSpot's UI
/// would (<c>CRM_UI</c>, or another <c>change_source</c> such as <c>IMPORT</c>) with the app's webhooks sent for it; the webhook
/// target URL and the deliveries made; the burst limit.
/// </summary>
public static class HubSpotControlApi
{
    public sealed record LimitBody(int BurstLimit);

    public sealed record WebhookTargetBody(string? TargetUrl);

    public sealed record RecordBody(string? Portal, string? Object, JsonObject? Properties, string? ChangeSource);

    public static void MapHubSpotControlApi(this WebApplication app)
    {
        var control = app.MapGroup(ControlApi.Prefix + "/hubspot");
        control.MapGet("/records", (HubSpotPortals portals, string? portal, string? @object) => Results.Ok(new
        {
            data = portals.Records(portal, @object).Select(r => new { id = r.Id, portal = r.Portal, @object = r.Object, properties = r.Properties, archived = r.Archived, companies = r.Companies, created_at = r.CreatedAt, updated_at = r.UpdatedAt }),
        }));
        control.MapPut("/webhooks", async (HttpRequest request, HubSpotWebhooks webhooks) =>
        {
            var (body, error) = await ControlApi.ReadAsync<WebhookTargetBody>(request);
            if (body is null) return ControlApi.Invalid(error!);
            if (!Uri.TryCreate(body.TargetUrl, UriKind.Absolute, out _)) return ControlApi.Invalid("target_url must be an absolute URL");
            webhooks.TargetUrl = body.TargetUrl;
            return Results.NoContent();
        });
        control.MapGet("/webhooks/deliveries", (HubSpotWebhooks webhooks) => Results.Ok(new { data = webhooks.Deliveries() }));
        control.MapPost("/records", async (HttpRequest request, HubSpotPortals portals, HubSpotWebhooks webhooks, TimeProvider clock) =>
        {
            var (body, error) = await ControlApi.ReadAsync<RecordBody>(request);
            if (body is null) return ControlApi.Invalid(error!);
            if (body.Portal is null || body.Object is null || !HubSpotPortals.Properties.ContainsKey(body.Object) || Strings(body.Properties) is not { } properties)
                return ControlApi.Invalid("portal, object (contacts or companies) and properties (text values) are required");
            var (record, set) = portals.Create(body.Portal, body.Object, properties, clock.GetUtcNow());
            webhooks.Send(new RecordChange(record, "creation", set), Source(body));
            return Results.Ok(new { id = record.Id });
        });
        control.MapPatch("/records/{id}", async (string id, HttpRequest request, HubSpotPortals portals, HubSpotWebhooks webhooks, TimeProvider clock) =>
        {
            var (body, error) = await ControlApi.ReadAsync<RecordBody>(request);
            if (body is null) return ControlApi.Invalid(error!);
            if (Strings(body.Properties) is not { } properties) return ControlApi.Invalid("properties (text values) are required");
            if (portals.Edit(id, properties, clock.GetUtcNow()) is not { } edited) return Results.NotFound();
            webhooks.Send(new RecordChange(edited.Record, "propertyChange", edited.Changed), Source(body));
            return Results.NoContent();
        });
        control.MapDelete("/records/{id}", (string id, HubSpotPortals portals, HubSpotWebhooks webhooks, TimeProvider clock) =>
        {
            if (portals.Find(id) is not { Archived: false } record || !portals.Archive(record.Portal, record.Object, id, clock.GetUtcNow())) return Results.NotFound();
            webhooks.Send(new RecordChange(record, "deletion", new Dictionary<string, string>()), ChangeSource.CrmUi);
            return Results.NoContent();
        });
        control.MapPut("/limit", async (HttpRequest request, HubSpotPortals portals) =>
        {
            var (body, error) = await ControlApi.ReadAsync<LimitBody>(request);
            if (body is null) return ControlApi.Invalid(error!);
            if (body.BurstLimit < 0) return ControlApi.Invalid("burst_limit must not be negative");
            portals.BurstLimit = body.BurstLimit;
            return Results.NoContent();
        });
    }

    private static ChangeSource Source(RecordBody body) => body.ChangeSource is { Length: > 0 } source ? new ChangeSource(source, null) : ChangeSource.CrmUi;

    private static JsonObject? Strings(JsonObject? properties) =>
        properties is not null && properties.All(p => p.Value is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.String) ? properties : null;
}
