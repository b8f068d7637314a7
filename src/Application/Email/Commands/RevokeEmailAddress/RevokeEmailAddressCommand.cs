using Integrations.Application.Common.EventSourcing;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Messaging;
using Integrations.Application.Email.Commands.CreateEmailAddress;
using Integrations.Domain.Email;
using MediatR;

namespace Integrations.Application.Email.Commands.RevokeEmailAddress;

/// <summary>Revokes an address: from now on the listener refuses mail to it (550), its threads stay readable.</summary>
public sealed record RevokeEmailAddressCommand(Guid TenantId, Guid AddressId) : ICommand<Unit>;

public sealed class RevokeEmailAddressCommandHandler(AggregateStore aggregates, IEmailAddresses addresses, IClock clock) : IRequestHandler<RevokeEmailAddressCommand, Unit>
{
    public async Task<Unit> Handle(RevokeEmailAddressCommand request, CancellationToken ct)
    {
        // Another tenant's address is not found, never revoked.
        _ = await addresses.FindAsync(request.TenantId, request.AddressId, ct) ?? throw CreateEmailAddressCommandHandler.NotFound();
        await aggregates.HandleAsync(EmailAddressDecider.Decider, EmailAddressDecider.StreamId(request.AddressId), new Domain.Email.RevokeEmailAddress(clock.UtcNow),
            request.TenantId, ct);
        return Unit.Value;
    }
}
