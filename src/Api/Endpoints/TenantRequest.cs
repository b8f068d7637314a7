using MediatR;
using Microsoft.AspNetCore.Mvc;

namespace Integrations.Api.Endpoints;

/// <summary>
/// What an endpoint that acts on one tenant binds besides its route values, body and list
/// parameters, as one <c>[AsParameters]</c> parameter: the request, the mediator, the request's
/// cancellation and the <c>tenant_id</c> query parameter by which the admin key names the tenant.
/// An endpoint whose body or route names the tenant binds <see cref="ApiRequest"/> instead, so its
/// query takes no tenant_id.
/// </summary>
public readonly record struct TenantRequest(
    HttpContext Http,
    IMediator Mediator,
    CancellationToken CancellationToken,
    [FromQuery(Name = "tenant_id")] Guid? TenantId)
{
    /// <summary>The tenant the request acts on (<see cref="TenantScope"/>): a tenant key's own, or the one the admin names in tenant_id.</summary>
    public Guid ResolveTenant() => TenantScope.Resolve(Http.User, TenantId);

    /// <summary>Sends a command or query, cancelled with the request.</summary>
    public Task<TResponse> Send<TResponse>(IRequest<TResponse> request) => Mediator.Send(request, CancellationToken);
}
