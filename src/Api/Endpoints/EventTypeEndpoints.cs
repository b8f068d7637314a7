using Integrations.Api.Authentication;
using Integrations.Api.Listing;
using Integrations.Api.OpenApi;
using Integrations.Application.EventTypes.Queries.ListEventTypes;
using MediatR;

namespace Integrations.Api.Endpoints;

/// <summary>The event-type catalog: every type the platform knows, with its schema and a sample.</summary>
public static class EventTypeEndpoints
{
    public static IEndpointRouteBuilder MapEventTypeEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/event-types", async (ListRequest list, HttpContext http, IMediator mediator, CancellationToken ct) =>
                list.Page(await mediator.Send(new ListEventTypesPageQuery(list.Query), ct), http))
            .WithTags("Event types")
            .RequireAuthorization(AuthenticationExtensions.TenantOrAdminPolicy).WithAccess("tenant_or_admin")
            .WithName("listEventTypes").WithSummary("List event types")
            .WithDescription("Every event type the platform knows, with the JSON Schema (2020-12) of its data and a sample, by name, under the list conventions. " +
                             "The catalog is small and fixed per release: `limit=100` returns it in one page.")
            .WithListConventions<EventTypeDto>(ListEventTypesPageQuery.Spec);
        return app;
    }
}
