using Integrations.Application.Common.EventSourcing;
using Integrations.Application.Common.Exceptions;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Messaging;
using Integrations.Domain.Tenants;
using MediatR;

namespace Integrations.Application.ApiKeys.Commands.RevokeApiKey;

public sealed record RevokeApiKeyCommand(Guid TenantId, Guid KeyId) : ICommand<Unit>;

public sealed class RevokeApiKeyCommandHandler(AggregateStore aggregates, ICredentialChanges credentials, IClock clock) : IRequestHandler<RevokeApiKeyCommand, Unit>
{
    public async Task<Unit> Handle(RevokeApiKeyCommand request, CancellationToken cancellationToken)
    {
        var streamId = TenantDecider.StreamId(request.TenantId);
        var loaded = await aggregates.LoadAsync(TenantDecider.Decider, streamId, request.TenantId, cancellationToken);
        if (!loaded.State.Exists) throw new NotFoundException("tenant_not_found", "No such tenant.");
        if (!loaded.State.ApiKeys.ContainsKey(request.KeyId)) throw new NotFoundException("api_key_not_found", "No such API key.");

        await aggregates.HandleAsync(TenantDecider.Decider, streamId, new Domain.Tenants.RevokeApiKey(request.KeyId, clock.UtcNow), request.TenantId, cancellationToken);
        credentials.AnnounceAfterCommit();
        return Unit.Value;
    }
}
