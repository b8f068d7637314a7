using Integrations.Application.Common.Exceptions;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Messaging;
using Integrations.Application.OAuth;
using MediatR;

namespace Integrations.Application.Apps.Commands.RotateAppSecret;

/// <summary>The new secret is shown only in the response; the previous one stops working at once.</summary>
public sealed record RotateAppSecretCommand(Guid OwnerTenantId, Guid AppId) : ICommand<ClientSecretDto>;

public sealed class RotateAppSecretCommandHandler(AppAggregate apps, IClock clock) : IRequestHandler<RotateAppSecretCommand, ClientSecretDto>
{
    public async Task<ClientSecretDto> Handle(RotateAppSecretCommand request, CancellationToken cancellationToken)
    {
        var loaded = await apps.LoadOwnedAsync(request.OwnerTenantId, request.AppId, cancellationToken);
        if (!loaded.State.IsConfidential) throw new ConflictException("public_client", "A public app has no client secret.");
        var secret = OpaqueSecret.Generate("cs_");
        await apps.HandleAsync(loaded, new Domain.Marketplace.RotateAppSecret(OpaqueSecret.Hash(secret), clock.UtcNow), cancellationToken);
        return new ClientSecretDto(loaded.State.ClientId, secret);
    }
}
