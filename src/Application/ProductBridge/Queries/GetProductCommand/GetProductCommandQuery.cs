using Integrations.Application.Common.Exceptions;
using Integrations.Application.Common.Messaging;
using MediatR;

namespace Integrations.Application.ProductBridge.Queries.GetProductCommand;

public sealed record GetProductCommandQuery(Guid TenantId, Guid CommandId) : IQuery<ProductCommandDto>;

public sealed class GetProductCommandQueryHandler(IProductCommandReadModel commands) : IRequestHandler<GetProductCommandQuery, ProductCommandDto>
{
    public async Task<ProductCommandDto> Handle(GetProductCommandQuery request, CancellationToken cancellationToken) =>
        await commands.FindAsync(request.TenantId, request.CommandId, cancellationToken)
        ?? throw new NotFoundException("product_command_not_found", "No such product command.");
}
