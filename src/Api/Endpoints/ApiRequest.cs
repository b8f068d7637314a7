using MediatR;

namespace Integrations.Api.Endpoints;

/// <summary>
/// <see cref="TenantRequest"/> without the tenant_id query parameter (<c>[AsParameters]</c>), for
/// endpoints whose body (<c>tenant_id</c> field) or route (<c>/tenants/{id}</c>) names the tenant.
/// </summary>
public readonly record struct ApiRequest(HttpContext Http, IMediator Mediator, CancellationToken CancellationToken)
{
    /// <summary>The tenant the request acts on (<see cref="TenantScope"/>), <paramref name="requested"/> being the one the body or route names.</summary>
    public Guid ResolveTenant(Guid? requested) => TenantScope.Resolve(Http.User, requested);

    /// <summary>Sends a command or query, cancelled with the request.</summary>
    public Task<TResponse> Send<TResponse>(IRequest<TResponse> request) => Mediator.Send(request, CancellationToken);
}
