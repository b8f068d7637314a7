using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Messaging;
using Integrations.Application.Connections.Credentials;
using Integrations.Application.Notifications;
using Integrations.Application.Providers;
using Integrations.Domain.Connections;
using Integrations.Domain.Notifications;
using MediatR;
using Microsoft.Extensions.Logging;

namespace Integrations.Application.Connections.Commands.DeleteConnection;

/// <summary>
/// Deletes a connection: under its lock, the tokens are revoked at the provider where it has a
/// revocation endpoint (RFC 7009; the refresh token, which ends the whole grant), the credential is
/// erased from the vault, its pending authorizations, health schedule and links go, and
/// <see cref="ConnectionDeleted"/> is appended. The stream stays: it is the audit log.
/// </summary>
public sealed record DeleteConnectionCommand(Guid TenantId, Guid ConnectionId) : ICommand<Unit>;

public sealed class DeleteConnectionCommandHandler(
    ConnectionAggregate connections,
    ICredentialVault vault,
    IProviderClient providers,
    IProviderCatalog catalog,
    IConnectAuthorizations authorizations,
    IConnectionHealthSchedule schedule,
    IConnectionLinks links,
    IncidentLog incidents,
    IRequestContext context,
    IClock clock,
    ILogger<DeleteConnectionCommandHandler> logger) : IRequestHandler<DeleteConnectionCommand, Unit>
{
    public async Task<Unit> Handle(DeleteConnectionCommand request, CancellationToken cancellationToken)
    {
        var state = await connections.LockAsync(request.TenantId, request.ConnectionId, cancellationToken);
        var stored = await vault.ReadAsync(request.TenantId, request.ConnectionId, cancellationToken);
        var revoked = stored is not null && catalog.Find(state.Provider) is { } provider && await RevokeAsync(provider, stored.Credential, cancellationToken);
        await vault.EraseAsync(request.TenantId, request.ConnectionId, cancellationToken);
        await authorizations.ForgetConnectionAsync(request.TenantId, request.ConnectionId, cancellationToken);
        await schedule.RemoveAsync(request.TenantId, request.ConnectionId, cancellationToken);
        await links.RemoveConnectionAsync(request.TenantId, request.ConnectionId, cancellationToken);
        await connections.HandleAsync(request.TenantId, request.ConnectionId, new Domain.Connections.DeleteConnection(revoked, context.Actor, clock.UtcNow), cancellationToken);
        foreach (var kind in new[] { IncidentKinds.ConnectionNeedsReauth, IncidentKinds.ConnectionDisconnected })
            await incidents.ResolveAsync(request.TenantId, kind, request.ConnectionId, $"The {state.Provider} connection was deleted.", cancellationToken);
        return Unit.Value;
    }

    /// <summary>Revokes the grant where the provider can; a provider that cannot be reached does not stop the deletion.</summary>
    private async Task<bool> RevokeAsync(ProviderDefinition provider, ConnectionCredential credential, CancellationToken ct)
    {
        try
        {
            return await ConnectionCredentials.RevokeAsync(providers, provider, credential, ct);
        }
        catch (ProviderCallException failure)
        {
            logger.LogWarning("Revoking the tokens of a deleted {Provider} connection failed ({Error}); its credentials are erased anyway", provider.Id, failure.Error);
            return false;
        }
    }
}
