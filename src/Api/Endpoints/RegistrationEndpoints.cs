using Integrations.Api.Authentication;
using Integrations.Api.OpenApi;
using Integrations.Application.Connectors.Commands.CheckRegistrations;
using Integrations.Application.Connectors.Queries.ListRegistrations;

namespace Integrations.Api.Endpoints;

/// <summary>A connection's registrations at its provider (a Jira dynamic webhook …) and their health (ADR 0028).</summary>
public static class RegistrationEndpoints
{
    public static IEndpointRouteBuilder MapRegistrationEndpoints(this IEndpointRouteBuilder app)
    {
        var registrations = app.MapGroup("/api/v1/connections/{connectionId:guid}/registrations").WithTags("Connections")
            .RequireAuthorization(AuthenticationExtensions.TenantOrAdminPolicy).WithAccess("tenant_or_admin");

        registrations.MapGet("", async (Guid connectionId, [AsParameters] TenantRequest request) =>
                Results.Ok(await request.Send(new ListRegistrationsQuery(request.ResolveTenant(), connectionId))))
            .WithName("listConnectionRegistrations").WithSummary("List a connection's registrations at its provider")
            .WithDescription("What the platform keeps registered at the provider so that changes there come back (for Jira: the dynamic webhook of the " +
                             "projects whose jira.issue routes have a status_map or fields_back), with its health: status (pending, active, failing), expiry, " +
                             "the last check and its error. At most one per kind; empty when nothing needs registering.")
            .Produces<RegistrationList>(StatusCodes.Status200OK)
            .ProducesError(StatusCodes.Status404NotFound, "connection_not_found", "tenant_not_found");

        registrations.MapPost("/check", async (Guid connectionId, [AsParameters] TenantRequest request) =>
                Results.Ok(await request.Send(new CheckRegistrationsCommand(request.ResolveTenant(), connectionId, ConnectionEndpoints.CallbackBase(request.Http)))))
            .WithName("checkConnectionRegistrations").WithSummary("Check a connection's registrations now")
            .WithDescription("Runs the check the Workers run on their schedule (every Connectors:Registrations:CheckEvery): registers what the routes need, " +
                             "renews what expires soon, registers again what is gone at the provider, removes what no route needs. Answers the " +
                             "registrations afterwards; a failed check shows as status failing with its last_error.")
            .Produces<RegistrationList>(StatusCodes.Status200OK)
            .ProducesError(StatusCodes.Status404NotFound, "connection_not_found", "tenant_not_found")
            .ProducesError(StatusCodes.Status409Conflict, "no_registrations", "check_in_progress");
        return app;
    }
}
