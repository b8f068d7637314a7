using System.ComponentModel;
using Integrations.Api.Authentication;
using Integrations.Api.Listing;
using Integrations.Api.OpenApi;
using Integrations.Application.Entities;
using Integrations.Application.Entities.Queries.GetEntity;
using Integrations.Application.Entities.Queries.ListEntities;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;

namespace Integrations.Api.Endpoints;

/// <summary>The entity read model: the latest state of the product's records, from its entity.* events (docs/product-bridge.md).</summary>
public static class EntityEndpoints
{
    public static IEndpointRouteBuilder MapEntityEndpoints(this IEndpointRouteBuilder app)
    {
        var entities = app.MapGroup("/api/v1/entities").WithTags("Entities")
            .RequireAuthorization(AuthenticationExtensions.TenantOrAdminPolicy).WithAccess("tenant_or_admin");

        entities.MapGet("/", async (ListRequest list, [AsParameters] TenantRequest request) =>
                list.Page(await request.Send(new ListEntitiesQuery(request.ResolveTenant(), list.Query)), request.Http))
            .WithListConventions<EntityDto>(ListEntitiesQuery.Spec, "tenant_id")
            .WithName("listEntities").WithSummary("List product records")
            .WithDescription("The latest state of the tenant's records as its entity.* events describe them, most recently changed first; entity_type narrows to one type, " +
                             "updated_after to what changed since. Follows the events within about a second.")
            .ProducesError(StatusCodes.Status404NotFound, "tenant_not_found");

        entities.MapGet("/{entity_type}/{entity_id}", async ([FromRoute(Name = "entity_type")][Description("The record's type as its events name it (entity_type), or untyped.")] string entityType,
                [FromRoute(Name = "entity_id")][Description("The record's id in the product (entity_id).")] string entityId, [AsParameters] TenantRequest request) =>
            {
                var (type, id) = PathSegments(request.Http, entityType, entityId);
                return Results.Ok(await request.Send(new GetEntityQuery(request.ResolveTenant(), type, id)));
            })
            .WithName("getEntity").WithSummary("Retrieve a product record")
            .WithDescription("One record's latest state: attributes, status (active or deleted), when it last changed and the sequence of the last event applied. " +
                             "Percent-encode the type and id (an id with '/' as %2F).")
            .Produces<EntityDto>(StatusCodes.Status200OK)
            .ProducesError(StatusCodes.Status404NotFound, "entity_not_found", "tenant_not_found");

        return app;
    }

    /// <summary>
    /// The type and id as the client encoded them. The server decodes every escape of the path but
    /// %2F before routing, so an id holding '/' would reach the route as "a%2Fb": the two segments
    /// are decoded here from the request target instead, when it has the route's shape.
    /// </summary>
    private static (string Type, string Id) PathSegments(HttpContext http, string routeType, string routeId)
    {
        var target = http.Features.Get<IHttpRequestFeature>()?.RawTarget ?? "";
        var segments = target.Split('?', 2)[0].Split('/');
        return segments is ["", "api", "v1", "entities", { Length: > 0 } type, { Length: > 0 } id]
            ? (Uri.UnescapeDataString(type), Uri.UnescapeDataString(id))
            : (routeType, routeId);
    }
}
