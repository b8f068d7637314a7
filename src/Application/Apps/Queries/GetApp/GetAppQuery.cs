using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Messaging;
using MediatR;

namespace Integrations.Application.Apps.Queries.GetApp;

/// <summary>One app of the organisation with its review status, never with its secret.</summary>
public sealed record GetAppQuery(Guid OwnerTenantId, Guid AppId) : IQuery<AppDto>;

public sealed class GetAppQueryHandler(IAppCatalogue catalogue) : IRequestHandler<GetAppQuery, AppDto>
{
    public async Task<AppDto> Handle(GetAppQuery request, CancellationToken cancellationToken) =>
        AppDto.From(await catalogue.FindOwnedAsync(request.OwnerTenantId, request.AppId, cancellationToken));
}
