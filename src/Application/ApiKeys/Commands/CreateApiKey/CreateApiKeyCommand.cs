using System.Text.Json.Serialization;
using FluentValidation;
using Integrations.Application.Common.EventSourcing;
using Integrations.Application.Common.Exceptions;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Messaging;
using Integrations.Domain.Tenants;
using MediatR;

namespace Integrations.Application.ApiKeys.Commands.CreateApiKey;

/// <summary>The only response that ever carries the key itself.</summary>
public sealed record CreatedApiKeyDto(Guid Id, string Key, string Prefix, DateTimeOffset CreatedAt);

/// <summary>
/// Idempotent like every creating POST: a retry with the same Idempotency-Key returns the same key.
/// The stored response holds the key, so the idempotency store encrypts it (never plaintext at rest)
/// and drops it after 24 hours.
/// </summary>
public sealed record CreateApiKeyCommand(Guid TenantId, [property: JsonIgnore] string? IdempotencyKey = null) : ICommand<CreatedApiKeyDto>, IIdempotentCommand
{
    // Per tenant: tenants create keys too, and one tenant's Idempotency-Key must never answer another's key.
    [JsonIgnore] public string IdempotencyScope => TenantId.ToString();
}

public sealed class CreateApiKeyCommandValidator : AbstractValidator<CreateApiKeyCommand>
{
    public CreateApiKeyCommandValidator() => RuleFor(c => c.IdempotencyKey).MaximumLength(255).OverridePropertyName("Idempotency-Key");
}

public sealed class CreateApiKeyCommandHandler(AggregateStore aggregates, IClock clock) : IRequestHandler<CreateApiKeyCommand, CreatedApiKeyDto>
{
    public async Task<CreatedApiKeyDto> Handle(CreateApiKeyCommand request, CancellationToken cancellationToken)
    {
        var streamId = TenantDecider.StreamId(request.TenantId);
        var loaded = await aggregates.LoadAsync(TenantDecider.Decider, streamId, request.TenantId, cancellationToken);
        if (!loaded.State.Exists) throw new NotFoundException("tenant_not_found", "No such tenant.");

        var key = ApiKeyFormat.Generate();
        var keyId = Guid.CreateVersion7();
        var now = clock.UtcNow;
        await aggregates.HandleAsync(TenantDecider.Decider, streamId, new IssueApiKey(keyId, key.Prefix, key.Hash, now), request.TenantId, cancellationToken);
        return new CreatedApiKeyDto(keyId, key.Key, key.Prefix, now);
    }
}
