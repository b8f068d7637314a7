using Integrations.Application.Common.Messaging;
using MediatR;

namespace Integrations.Application.DeadLetters.Queries.ListDeadLetterTenants;

/// <summary>Admin: the tenants with dead-lettered webhook deliveries, worst first (the deliveries themselves: GET /api/v1/webhook-deliveries?status=failed&amp;tenant_id=…).</summary>
public sealed record ListDeadLetterTenantsQuery : IQuery<IReadOnlyList<TenantDeadLettersDto>>
{
    /// <summary>A dashboard's worth; a platform with more tenants in trouble has other problems first.</summary>
    public const int Limit = 100;
}

public sealed class ListDeadLetterTenantsQueryHandler(IDeadLetterReadModel deadLetters) : IRequestHandler<ListDeadLetterTenantsQuery, IReadOnlyList<TenantDeadLettersDto>>
{
    public Task<IReadOnlyList<TenantDeadLettersDto>> Handle(ListDeadLetterTenantsQuery request, CancellationToken cancellationToken) =>
        deadLetters.ListTenantsAsync(ListDeadLetterTenantsQuery.Limit, cancellationToken);
}
