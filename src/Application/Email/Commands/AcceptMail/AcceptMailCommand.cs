using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Messaging;
using Integrations.Application.Inbound;
using Integrations.Domain.Email;
using MediatR;

namespace Integrations.Application.Email.Commands.AcceptMail;

/// <summary>What became of a mail handed over by the SMTP listener: stored for this many of our addresses (a repeat counts: it was stored before).</summary>
public sealed record AcceptedMail(int Stored, int Replayed);

/// <summary>
/// A mail the SMTP listener received (after RCPT TO accepted its recipients): for each active address
/// among <paramref name="Recipients"/> it is written as an inbound request (provider <c>email</c>, the
/// address as account, replay key address + Message-ID) with its Kafka message, in one transaction,
/// before the listener answers 250: an acknowledged mail is never lost. The inbound pipeline processes it.
/// </summary>
public sealed record AcceptMailCommand(IReadOnlyList<string> Recipients, byte[] Raw) : ICommand<AcceptedMail>;

public sealed class AcceptMailCommandHandler(MailAcceptance acceptance) : IRequestHandler<AcceptMailCommand, AcceptedMail>
{
    public const string EnvelopeToHeader = MailAcceptance.EnvelopeToHeader;

    public Task<AcceptedMail> Handle(AcceptMailCommand command, CancellationToken ct) => acceptance.AcceptAsync(command.Recipients, command.Raw, ct);
}

/// <summary>
/// The one way a received mail is stored, whoever received it (the SMTP listener, or a parse webhook that
/// handed us JSON we turned into MIME): per active address among the recipients, an inbound request with its
/// outbox message, in the caller's transaction. Recipients that are no active address of ours are skipped.
/// </summary>
public sealed class MailAcceptance(IEmailAddresses addresses, IMailParser parser, IInboundRequests requests, IOutbox outbox, EmailOptions options,
    IClock clock, IRequestContext context)
{
    public const string EnvelopeToHeader = "x-envelope-to";

    public async Task<AcceptedMail> AcceptAsync(IReadOnlyList<string> recipients, byte[] raw, CancellationToken ct)
    {
        var identity = MailThreading.Identity(parser.MessageIdOf(raw), raw);
        var (stored, replayed) = (0, 0);
        var seen = new HashSet<Guid>();
        foreach (var recipient in recipients)
        {
            if (MailThreading.ParseRecipient(recipient, options.InboundDomain ?? "") is not { } ours) continue;
            if (await addresses.FindActiveAsync(ours.AddressToken, ct) is not { } route || !seen.Add(route.AddressId)) continue;
            var now = clock.UtcNow;
            var request = new NewInboundRequest(Guid.CreateVersion7(now), now, new InboundTarget(EmailProvider.Id, null), route.TenantId, route.AddressId.ToString(),
                // Per address: the same mail to two tenants is two requests; to one address twice (a retried DATA, a redelivered webhook) is one.
                $"{route.AddressId:N}:{identity}", "message/rfc822", new Dictionary<string, string> { [EnvelopeToHeader] = recipient.ToLowerInvariant() }, raw);
            if (!await requests.TryRecordAsync(request, ct))
            {
                replayed++;
                continue;
            }
            await outbox.EnqueueAsync([InboundEnvelope.From(request).ToOutboxMessage(context.CorrelationId)], ct);
            stored++;
        }
        return new AcceptedMail(stored, replayed);
    }
}
