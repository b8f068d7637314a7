using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Messaging;
using Integrations.Domain.ProductBridge;
using MediatR;

namespace Integrations.Application.ProductBridge.Commands.RemoveProductCallback;

/// <summary>No callback any more: commands go to the topic only. Its secret is forgotten; configuring one again starts with a new one.</summary>
public sealed record RemoveProductCallbackCommand(Guid TenantId) : ICommand<Unit>;

public sealed class RemoveProductCallbackCommandHandler(ProductCallbackAggregate callbacks, IClock clock) : IRequestHandler<RemoveProductCallbackCommand, Unit>
{
    public async Task<Unit> Handle(RemoveProductCallbackCommand request, CancellationToken cancellationToken)
    {
        await callbacks.HandleAsync(request.TenantId, new Domain.ProductBridge.RemoveProductCallback(clock.UtcNow), cancellationToken);
        return Unit.Value;
    }
}
