using Integrations.Application.Common.Messaging;
using MediatR;

namespace Integrations.Application.ProductBridge.Queries.GetProductCallback;

public sealed record GetProductCallbackQuery(Guid TenantId) : IQuery<ProductCallbackDto>;

public sealed class GetProductCallbackQueryHandler(IProductCallbackReadModel callbacks) : IRequestHandler<GetProductCallbackQuery, ProductCallbackDto>
{
    public async Task<ProductCallbackDto> Handle(GetProductCallbackQuery request, CancellationToken cancellationToken) =>
        await callbacks.FindAsync(request.TenantId, cancellationToken) ?? throw ProductCallbackAggregate.NotFound();
}
