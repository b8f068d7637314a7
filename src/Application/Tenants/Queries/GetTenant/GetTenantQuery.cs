using Integrations.Application.Common.Exceptions;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Messaging;
using MediatR;

namespace Integrations.Application.Tenants.Queries.GetTenant;

public sealed record GetTenantQuery(Guid TenantId) : IQuery<TenantDto>;

public sealed class GetTenantQueryHandler(ITenantReadModel tenants) : IRequestHandler<GetTenantQuery, TenantDto>
{
    public async Task<TenantDto> Handle(GetTenantQuery request, CancellationToken cancellationToken) =>
        await tenants.FindAsync(request.TenantId, cancellationToken)
        ?? throw new NotFoundException("tenant_not_found", "No such tenant.");
}
