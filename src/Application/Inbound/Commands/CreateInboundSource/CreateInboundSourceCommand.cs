using System.Security.Cryptography;
using System.Text.Json.Serialization;
using FluentValidation;
using FluentValidation.Results;
using Integrations.Application.Common.EventSourcing;
using Integrations.Application.Common.Exceptions;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Messaging;
using Integrations.Domain.Inbound;
using Integrations.Domain.Webhooks;
using MediatR;

namespace Integrations.Application.Inbound.Commands.CreateInboundSource;

/// <summary>A new source with its secret: the only answer that ever shows it.</summary>
public sealed record CreatedInboundSourceDto(Guid Id, string Name, SourceVerifierSpec Verifier, string Path, DateTimeOffset CreatedAt, int? SilenceAlertAfterSeconds,
    string Secret);

/// <summary>
/// A tenant's inbound source (docs/inbound.md): a URL of its own whose requests are verified with
/// <paramref name="Verifier"/>. <paramref name="Secret"/> is the sender's (an HMAC key, a Standard
/// Webhooks <c>whsec_</c> secret, a password); without one the platform draws one. It is sealed in the
/// vault, returned in this answer only and never listed.
/// </summary>
public sealed record CreateInboundSourceCommand(Guid TenantId, string? Name, SourceVerifierSpec? Verifier, [property: JsonIgnore] string? Secret,
    [property: JsonIgnore] string? IdempotencyKey = null, int? SilenceAlertAfterSeconds = null) : ICommand<CreatedInboundSourceDto>, IIdempotentCommand
{
    [JsonIgnore] public string IdempotencyScope => TenantId.ToString();
}

public sealed class CreateInboundSourceCommandValidator : AbstractValidator<CreateInboundSourceCommand>
{
    public CreateInboundSourceCommandValidator()
    {
        RuleFor(c => c.TenantId).NotEmpty();
        RuleFor(c => c.Name).NotEmpty().MaximumLength(100);
        RuleFor(c => c.Verifier).NotNull();
        RuleFor(c => c.Verifier).Custom((spec, context) =>
        {
            foreach (var (field, code, message) in spec!.Problems())
                context.AddFailure(new ValidationFailure(field, message) { ErrorCode = code });
        }).When(c => c.Verifier is not null);
        RuleFor(c => c.SilenceAlertAfterSeconds).Must(s => SilenceAlert.Problem(s) is null).WithErrorCode("invalid_value")
            .WithMessage(c => SilenceAlert.Problem(c.SilenceAlertAfterSeconds)!);
        RuleFor(c => c.Secret).MinimumLength(16).MaximumLength(500).When(c => c.Secret is not null);
        RuleFor(c => c.Secret).Must(IsStandardWebhooksSecret).WithErrorCode("invalid_value")
            .WithMessage("A Standard Webhooks secret is whsec_ followed by base64 (24 to 64 bytes).")
            .When(c => c.Secret is not null && c.Verifier?.Kind == SourceVerifierSpec.StandardWebhooks);
    }

    private static bool IsStandardWebhooksSecret(string? secret)
    {
        try
        {
            return secret is not null && secret.StartsWith(WebhookSignature.SecretPrefix, StringComparison.Ordinal)
                   && WebhookSignature.SecretKey(secret).Length is >= 24 and <= 64;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}

public sealed class CreateInboundSourceCommandHandler(AggregateStore aggregates, IInboundSources sources, ITenantReadModel tenants, IClock clock)
    : IRequestHandler<CreateInboundSourceCommand, CreatedInboundSourceDto>
{
    public async Task<CreatedInboundSourceDto> Handle(CreateInboundSourceCommand request, CancellationToken ct)
    {
        _ = await tenants.FindAsync(request.TenantId, ct) ?? throw new NotFoundException("tenant_not_found", "No such tenant.");
        var id = Guid.CreateVersion7(clock.UtcNow);
        var spec = request.Verifier!;
        var secret = request.Secret ?? (spec.Kind == SourceVerifierSpec.StandardWebhooks
            ? WebhookSignature.NewSecret()
            : Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)));
        await aggregates.StartAsync(InboundSourceDecider.Decider, InboundSourceDecider.StreamId(id),
            new Domain.Inbound.CreateInboundSource(request.TenantId, id, request.Name!, spec, clock.UtcNow, request.SilenceAlertAfterSeconds), request.TenantId, ct);
        await sources.StoreSecretAsync(request.TenantId, id, secret, ct);
        // The inline projection wrote the row in this transaction.
        var stored = await sources.FindAsync(request.TenantId, id, ct) ?? throw new NotFoundException("inbound_source_not_found", "There is no such inbound source.");
        return new CreatedInboundSourceDto(stored.Id, stored.Name, stored.Verifier, stored.Path, stored.CreatedAt, stored.SilenceAlertAfterSeconds, secret);
    }
}
