using Integrations.Application.Common.EventSourcing;
using Integrations.Application.Common.Exceptions;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Messaging;
using Integrations.Domain.Tenants;
using MediatR;

namespace Integrations.Application.ApiKeys.Commands.CreateApiKey;

/// <summary>The only response that ever carries the key itself.</summary>
public sealed record CreatedApiKeyDto(Guid Id, string Key, string Prefix, DateTimeOffset CreatedAt);

// Deliberately not idempotent-replayable: replaying would mean storing the plaintext key.
public sealed record CreateApiKeyCommand(Guid TenantId) : ICommand<CreatedApiKeyDto>;

public sealed class CreateApiKeyCommandHandler(AggregateStore aggregates, IClock clock) : IRequestHandler<CreateApiKeyCommand, CreatedApiKeyDto>
{
    public async Task<CreatedApiKeyDto> Handle(CreateApiKeyCommand request, CancellationToken cancellationToken)
    {
        var streamId = TenantDecider.StreamId(request.TenantId);
        var loaded = await aggregates.LoadAsync(TenantDecider.Decider, streamId, cancellationToken);
        if (!loaded.State.Exists) throw new NotFoundException("tenant_not_found", "No such tenant.");

        var key = ApiKeyFormat.Generate();
        var keyId = Guid.CreateVersion7();
        var now = clock.UtcNow;
        await aggregates.HandleAsync(TenantDecider.Decider, streamId, new IssueApiKey(keyId, key.Prefix, key.Hash, now), request.TenantId, cancellationToken);
        return new CreatedApiKeyDto(keyId, key.Key, key.Prefix, now);
    }
}
