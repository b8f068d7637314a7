using System.Security.Claims;
using Integrations.Api.Authentication;
using Integrations.Application.Common.Exceptions;

namespace Integrations.Api.Endpoints;

/// <summary>
/// Which tenant a request acts on. A tenant key acts only on its own tenant and anything else is
/// "not found" (a 403 would confirm the other tenant exists); the admin must name the tenant.
/// </summary>
public static class TenantScope
{
    public static Guid Resolve(ClaimsPrincipal user, Guid? requested, string field = "tenant_id")
    {
        if (user.TenantId() is { } own)
        {
            if (requested is { } other && other != own) throw new NotFoundException("tenant_not_found", "No such tenant.");
            return own;
        }
        if (user.IsAdmin())
            return requested ?? throw new ValidationException([new ValidationError(field, "required", $"{field} is required when acting with the admin key.")]);
        throw new ForbiddenException("This credential may not act on tenant data.");
    }
}
