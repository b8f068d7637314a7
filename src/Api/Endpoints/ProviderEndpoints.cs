using Integrations.Api.Authentication;
using Integrations.Api.OpenApi;
using Integrations.Application.Providers.Queries.ListProviders;
using MediatR;

namespace Integrations.Api.Endpoints;

public sealed record ProviderList(IReadOnlyList<ProviderDto> Data);

/// <summary>The external systems connections can be made to.</summary>
public static class ProviderEndpoints
{
    public static IEndpointRouteBuilder MapProviderEndpoints(this IEndpointRouteBuilder app)
    {
        // A handful of providers, fixed per deployment: a plain list, not a paginated one.
        app.MapGet("/api/v1/providers", async (IMediator mediator, CancellationToken ct) =>
                Results.Ok(new ProviderList(await mediator.Send(new ListProvidersQuery(), ct))))
            .WithTags("Connections")
            .RequireAuthorization(AuthenticationExtensions.TenantOrAdminPolicy).WithAccess("tenant_or_admin")
            .WithName("listProviders").WithSummary("List providers")
            .WithDescription("Every external system a connection can be made to, by stable id (slack, jira, exact-online, http …): how it authenticates, " +
                             "the scopes asked by default, what its refresh tokens do, the actions routes can use and the quotas the platform keeps to. " +
                             "`ready` is false for an OAuth provider whose client id and secret the operator has not configured.")
            .Produces<ProviderList>(StatusCodes.Status200OK);
        return app;
    }
}
