using Integrations.Application.Common.Exceptions;
using Integrations.Application.Common.Messaging;
using MediatR;

namespace Integrations.Application.Entities.Queries.GetEntity;

/// <summary>One record's latest state; a record the tenant's events never named is "not found", whatever the type and id look like.</summary>
public sealed record GetEntityQuery(Guid TenantId, string EntityType, string EntityId) : IQuery<EntityDto>;

public sealed class GetEntityQueryHandler(IEntityReadModel entities) : IRequestHandler<GetEntityQuery, EntityDto>
{
    public async Task<EntityDto> Handle(GetEntityQuery request, CancellationToken cancellationToken) =>
        await entities.FindAsync(request.TenantId, request.EntityType, request.EntityId, cancellationToken)
        ?? throw new NotFoundException("entity_not_found", "No such entity: none of this tenant's entity events named it (yet: the read model follows the events within about a second).");
}
