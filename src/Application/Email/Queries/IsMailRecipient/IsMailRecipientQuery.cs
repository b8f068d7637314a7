using Integrations.Application.Common.Messaging;
using Integrations.Domain.Email;
using MediatR;

namespace Integrations.Application.Email.Queries.IsMailRecipient;

/// <summary>Whether the SMTP listener takes mail for <paramref name="Address"/> (RCPT TO): an active address of ours, plus-addressed or not.</summary>
public sealed record IsMailRecipientQuery(string Address) : IQuery<bool>;

public sealed class IsMailRecipientQueryHandler(IEmailAddresses addresses, EmailOptions options) : IRequestHandler<IsMailRecipientQuery, bool>
{
    public async Task<bool> Handle(IsMailRecipientQuery request, CancellationToken ct) =>
        MailThreading.ParseRecipient(request.Address, options.InboundDomain ?? "") is { } ours && await addresses.FindActiveAsync(ours.AddressToken, ct) is not null;
}
