using Integrations.Application.Common.Exceptions;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Messaging;
using MediatR;

namespace Integrations.Application.ApiKeys.Queries.ListApiKeys;

public sealed record ListApiKeysQuery(Guid TenantId) : IQuery<IReadOnlyList<ApiKeyDto>>;

public sealed class ListApiKeysQueryHandler(ITenantReadModel tenants, IApiKeyReadModel keys) : IRequestHandler<ListApiKeysQuery, IReadOnlyList<ApiKeyDto>>
{
    public async Task<IReadOnlyList<ApiKeyDto>> Handle(ListApiKeysQuery request, CancellationToken cancellationToken)
    {
        _ = await tenants.FindAsync(request.TenantId, cancellationToken) ?? throw new NotFoundException("tenant_not_found", "No such tenant.");
        return await keys.ListAsync(request.TenantId, cancellationToken);
    }
}
