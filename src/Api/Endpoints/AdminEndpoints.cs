using Integrations.Api.Authentication;
using Integrations.Api.OpenApi;
using Integrations.Application.Projections.Commands.RebuildProjection;
using MediatR;

namespace Integrations.Api.Endpoints;

/// <summary>
/// Platform operations for the admin key under /api/v1/admin (the review of apps and the rotation
/// of the OAuth signing key sit with the apps, in <see cref="AppEndpoints"/>).
/// </summary>
public static class AdminEndpoints
{
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
