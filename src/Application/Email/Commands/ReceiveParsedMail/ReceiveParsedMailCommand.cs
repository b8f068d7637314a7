using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Messaging;
using Integrations.Application.Email.Commands.AcceptMail;
using Integrations.Domain.Inbound;
using MediatR;

namespace Integrations.Application.Email.Commands.ReceiveParsedMail;

/// <summary>What became of a parse webhook's request (the endpoint words each).</summary>
public abstract record ParsedMailOutcome
{
    /// <summary>No such URL: not a parse-webhook provider, or one without credentials configured.</summary>
    public sealed record NotFound : ParsedMailOutcome;

    /// <summary>The basic auth credentials are missing or wrong.</summary>
    public sealed record Unauthorized : ParsedMailOutcome;

    public sealed record Malformed : ParsedMailOutcome;

    /// <summary>Stored (committed) for this many of our addresses; replayed: stored before; ignored: mails for no active address of ours.</summary>
    public sealed record Accepted(int Stored, int Replayed, int Ignored) : ParsedMailOutcome;
}

/// <summary>
/// A Brevo or Mailjet parse webhook (ADR 0032, docs/connectors/email.md): neither signs its requests, so basic auth
/// is the credential, checked by the inbound sources' <see cref="BasicAuthVerifier"/>. Each mail of the JSON is rebuilt as MIME and stored through <see cref="MailAcceptance"/>, the SMTP listener's path, all in one
/// transaction before the endpoint answers 200: an acknowledged mail is never lost, a redelivery stores nothing twice.
/// </summary>
public sealed record ReceiveParsedMailCommand(string Provider, InboundRequest Request) : ICommand<ParsedMailOutcome>
{
    /// <summary>Never the credentials (the request's Authorization header), should the command ever be written out.</summary>
    public override string ToString() => $"{nameof(ReceiveParsedMailCommand)} {{ Provider = {Provider}, Body = {Request.Body.Length} bytes }}";
}

public sealed class ReceiveParsedMailCommandHandler(EmailOptions options, IWebhookMailComposer composer, MailAcceptance acceptance, IClock clock)
    : IRequestHandler<ReceiveParsedMailCommand, ParsedMailOutcome>
{
    public async Task<ParsedMailOutcome> Handle(ReceiveParsedMailCommand command, CancellationToken ct)
    {
        var settings = command.Provider switch
        {
            ParseWebhookProviders.Brevo => options.Brevo,
            ParseWebhookProviders.Mailjet => options.Mailjet,
            _ => null,
        };
        if (settings is not { Username: { Length: > 0 } user, Password: { Length: > 0 } password } || string.IsNullOrWhiteSpace(options.InboundDomain))
            return new ParsedMailOutcome.NotFound();
        if (!new BasicAuthVerifier(user, password).Verify(command.Request, clock.UtcNow).Verified) return new ParsedMailOutcome.Unauthorized();
        if (composer.Compose(command.Provider, command.Request.Body) is not { } mails) return new ParsedMailOutcome.Malformed();

        var (stored, replayed, ignored) = (0, 0, 0);
        foreach (var mail in mails)
        {
            var accepted = await acceptance.AcceptAsync(mail.Recipients, mail.Raw, ct);
            stored += accepted.Stored;
            replayed += accepted.Replayed;
            // For nobody of ours (a revoked address, a stray domain): acknowledged all the same, so the provider does not retry it forever.
            if (accepted.Stored + accepted.Replayed == 0) ignored++;
        }
        return new ParsedMailOutcome.Accepted(stored, replayed, ignored);
    }
}
