using System.Security.Cryptography;
using System.Text.Json.Serialization;
using FluentValidation;
using Integrations.Application.Common.EventSourcing;
using Integrations.Application.Common.Exceptions;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Messaging;
using Integrations.Domain.Email;
using MediatR;

namespace Integrations.Application.Email.Commands.CreateEmailAddress;

/// <summary>
/// A new inbound address for the tenant (docs/connectors/email.md): a random, unguessable token at the
/// inbound domain. A new thread mailed to it becomes entity.create of <paramref name="EntityType"/>; with
/// <paramref name="RepliesAsComments"/> (the default), a reply becomes comment.add on that entity.
/// </summary>
public sealed record CreateEmailAddressCommand(Guid TenantId, string? EntityType, bool? RepliesAsComments, [property: JsonIgnore] string? IdempotencyKey = null)
    : ICommand<EmailAddressDto>, IIdempotentCommand
{
    [JsonIgnore] public string IdempotencyScope => TenantId.ToString();
}

public sealed class CreateEmailAddressCommandValidator : AbstractValidator<CreateEmailAddressCommand>
{
    public CreateEmailAddressCommandValidator()
    {
        RuleFor(c => c.TenantId).NotEmpty();
        RuleFor(c => c.EntityType).NotEmpty();
        RuleFor(c => c.EntityType).Must(t => EmailAddressRules.EntityTypeProblem(t) is null).WithErrorCode("invalid_value")
            .WithMessage(c => EmailAddressRules.EntityTypeProblem(c.EntityType)!).When(c => !string.IsNullOrEmpty(c.EntityType));
    }
}

public sealed class CreateEmailAddressCommandHandler(AggregateStore aggregates, IEmailAddresses addresses, ITenantReadModel tenants, EmailOptions options, IClock clock)
    : IRequestHandler<CreateEmailAddressCommand, EmailAddressDto>
{
    public async Task<EmailAddressDto> Handle(CreateEmailAddressCommand request, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(options.InboundDomain))
            throw new ConflictException("email_not_configured", "The platform has no inbound mail domain (Email:InboundDomain): ask the operator.");
        _ = await tenants.FindAsync(request.TenantId, ct) ?? throw new NotFoundException("tenant_not_found", "No such tenant.");
        var id = Guid.CreateVersion7(clock.UtcNow);
        var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        await aggregates.StartAsync(EmailAddressDecider.Decider, EmailAddressDecider.StreamId(id),
            new Domain.Email.CreateEmailAddress(request.TenantId, id, token, request.EntityType!, request.RepliesAsComments ?? true, clock.UtcNow), request.TenantId, ct);
        // The inline projection wrote the row in this transaction.
        return await addresses.FindAsync(request.TenantId, id, ct) ?? throw NotFound();
    }

    public static NotFoundException NotFound() => new("email_address_not_found", "There is no such e-mail address.");
}
