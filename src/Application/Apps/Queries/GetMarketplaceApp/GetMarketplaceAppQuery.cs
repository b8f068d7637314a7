using Integrations.Application.Common.Exceptions;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Messaging;
using MediatR;

namespace Integrations.Application.Apps.Queries.GetMarketplaceApp;

/// <summary>The public detail of a marketplace app (description, screenshots, permissions); an app not approved for the marketplace is not found.</summary>
public sealed record GetMarketplaceAppQuery(string ClientId) : IQuery<MarketplaceAppDto>;

public sealed class GetMarketplaceAppQueryHandler(IAppCatalogue catalogue) : IRequestHandler<GetMarketplaceAppQuery, MarketplaceAppDto>
{
    public async Task<MarketplaceAppDto> Handle(GetMarketplaceAppQuery request, CancellationToken cancellationToken)
    {
        var listing = await catalogue.FindByClientIdAsync(request.ClientId, cancellationToken);
        return listing is { InMarketplace: true } ? MarketplaceAppDto.From(listing) : throw new NotFoundException("app_not_found", "No such app in the marketplace.");
    }
}
