using Integrations.Application.Common.Messaging;
using Integrations.Application.Email.Commands.CreateEmailAddress;
using MediatR;

namespace Integrations.Application.Email.Queries.GetEmailAddress;

public sealed record GetEmailAddressQuery(Guid TenantId, Guid AddressId) : IQuery<EmailAddressDto>;

public sealed class GetEmailAddressQueryHandler(IEmailAddresses addresses) : IRequestHandler<GetEmailAddressQuery, EmailAddressDto>
{
    public async Task<EmailAddressDto> Handle(GetEmailAddressQuery request, CancellationToken ct) =>
        await addresses.FindAsync(request.TenantId, request.AddressId, ct) ?? throw CreateEmailAddressCommandHandler.NotFound();
}
