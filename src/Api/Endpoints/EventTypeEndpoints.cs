using Integrations.Api.Authentication;
using Integrations.Api.OpenApi;
using Integrations.Application.EventTypes.Queries.ListEventTypes;
using MediatR;

namespace Integrations.Api.Endpoints;

/// <summary>The event catalog as a response body.</summary>
public sealed record EventTypeList(IReadOnlyList<EventTypeDto> Data);

/// <summary>The event-type catalog: every type the platform knows, with its schema and a sample.</summary>
public static class EventTypeEndpoints
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
}
