using Integrations.Fakes.Common.Control;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Integrations.Fakes.HubSpot;

/// <summary>The HubSpot fake's part of the control API (<c>/_fake/hubspot/…</c>): the CRM records, and the burst limit.</summary>
public static class HubSpotControlApi
{
    public sealed record LimitBody(int BurstLimit);

    public static void MapHubSpotControlApi(this WebApplication app)
    {
        var control = app.MapGroup(ControlApi.Prefix + "/hubspot");
        control.MapGet("/records", (HubSpotPortals portals, string? portal, string? @object) => Results.Ok(new
        {
            data = portals.Records(portal, @object).Select(r => new { id = r.Id, portal = r.Portal, @object = r.Object, properties = r.Properties, archived = r.Archived, created_at = r.CreatedAt, updated_at = r.UpdatedAt }),
        }));
        control.MapPut("/limit", async (HttpRequest request, HubSpotPortals portals) =>
        {
            var (body, error) = await ControlApi.ReadAsync<LimitBody>(request);
            if (body is null) return ControlApi.Invalid(error!);
            if (body.BurstLimit < 0) return ControlApi.Invalid("burst_limit must not be negative");
            portals.BurstLimit = body.BurstLimit;
            return Results.NoContent();
        });
    }
}
