using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Messaging;
using Integrations.Application.WebhookEndpoints;
using Integrations.Domain.ProductBridge;
using Integrations.Domain.Webhooks;
using MediatR;

namespace Integrations.Application.ProductBridge.Commands.RotateProductCallbackSecret;

/// <param name="PreviousSecretExpiresAt">Until when the previous secret keeps signing beside the new one (null when there was none to keep).</param>
public sealed record ProductCallbackSecretDto(string Secret, DateTimeOffset? PreviousSecretExpiresAt);

/// <summary>
/// A new signing secret; the previous one keeps signing beside it for the webhook secrets' overlap
/// (Webhooks:SecretRotationOverlap), so the receiver can switch without a gap. Each call is a new secret.
/// </summary>
public sealed record RotateProductCallbackSecretCommand(Guid TenantId) : ICommand<ProductCallbackSecretDto>;

public sealed class RotateProductCallbackSecretCommandHandler(ProductCallbackAggregate callbacks, ISecretProtector protector, WebhookEndpointOptions options, IClock clock)
    : IRequestHandler<RotateProductCallbackSecretCommand, ProductCallbackSecretDto>
{
    public async Task<ProductCallbackSecretDto> Handle(RotateProductCallbackSecretCommand request, CancellationToken cancellationToken)
    {
        var secret = WebhookSignature.NewSecret();
        var decided = await callbacks.HandleAsync(request.TenantId,
            new Domain.ProductBridge.RotateProductCallbackSecret(protector.Protect(secret), options.SecretRotationOverlap, clock.UtcNow), cancellationToken);
        return new ProductCallbackSecretDto(secret, ((ProductCallbackSecretRotated)decided.Events[0]).PreviousSecretExpiresAt);
    }
}
