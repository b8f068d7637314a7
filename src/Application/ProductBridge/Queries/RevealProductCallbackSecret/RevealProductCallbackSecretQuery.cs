using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Messaging;
using Integrations.Application.ProductBridge.Commands.RotateProductCallbackSecret;
using MediatR;

namespace Integrations.Application.ProductBridge.Queries.RevealProductCallbackSecret;

/// <summary>The callback's current signing secret, decrypted on explicit request only.</summary>
public sealed record RevealProductCallbackSecretQuery(Guid TenantId) : IQuery<ProductCallbackSecretDto>;

public sealed class RevealProductCallbackSecretQueryHandler(ProductCallbackAggregate callbacks, ISecretProtector protector, IClock clock)
    : IRequestHandler<RevealProductCallbackSecretQuery, ProductCallbackSecretDto>
{
    public async Task<ProductCallbackSecretDto> Handle(RevealProductCallbackSecretQuery request, CancellationToken cancellationToken)
    {
        var callback = await callbacks.LoadAsync(request.TenantId, cancellationToken);
        var previousSigns = callback.PreviousSecretExpiresAt > clock.UtcNow;
        return new ProductCallbackSecretDto(protector.Unprotect(callback.CurrentSecret), previousSigns ? callback.PreviousSecretExpiresAt : null);
    }
}
