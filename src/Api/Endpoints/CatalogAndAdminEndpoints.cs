using Integrations.Api.Authentication;
using Integrations.Api.OpenApi;
using Integrations.Application.EventTypes.Queries.ListEventTypes;
using Integrations.Application.Projections.Commands.RebuildProjection;
using MediatR;

namespace Integrations.Api.Endpoints;

/// <summary>The event catalog as a response body.</summary>
public sealed record EventTypeList(IReadOnlyList<EventTypeDto> Data);

public static class CatalogAndAdminEndpoints
{
    public static IEndpointRouteBuilder MapEventTypeEndpoints(this IEndpointRouteBuilder app)
    {
        // The catalog is small and fixed: a plain list, not a paginated one.
        app.MapGet("/api/v1/event-types", async (IMediator mediator, CancellationToken ct) =>
                Results.Ok(new EventTypeList(await mediator.Send(new ListEventTypesQuery(), ct))))
            .WithTags("Event types")
            .RequireAuthorization(AuthenticationExtensions.TenantOrAdminPolicy).WithAccess("tenant_or_admin")
            .WithName("listEventTypes").WithSummary("List event types")
            .WithDescription("Every event type the platform knows, with the JSON Schema (2020-12) of its data and a sample. The catalog is small and fixed per release, so it is not paginated.")
            .Produces<EventTypeList>(StatusCodes.Status200OK);
        return app;
    }

    public static IEndpointRouteBuilder MapAdminEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/v1/admin/projections/{name}/rebuild", async (string name, IMediator mediator, CancellationToken ct) =>
                Results.Ok(await mediator.Send(new RebuildProjectionCommand(name), ct)))
            .WithTags("Admin")
            .RequireAuthorization(AuthenticationExtensions.AdminPolicy).WithAccess("admin")
            .WithName("rebuildProjection").WithSummary("Rebuild a read model")
            .WithDescription("Empties a projection's tables and replays the event log into them in one transaction; readers see the old or the new state, never a mix.")
            .Produces<ProjectionRebuiltDto>(StatusCodes.Status200OK)
            .ProducesError(StatusCodes.Status422UnprocessableEntity, "validation_failed");
        return app;
    }
}
