using FluentValidation;
using Integrations.Application.Common.Exceptions;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Messaging;
using Integrations.Application.Email.Queries.GetEmailThread;
using Integrations.Domain.Email;
using MediatR;

namespace Integrations.Application.Email.Commands.SendEmailReply;

/// <summary>
/// A reply from the app to a thread's last received message, sent over SMTP (ADR 0032): our own
/// Message-ID (recorded in the thread first, so an answer to it threads back by In-Reply-To),
/// In-Reply-To and References of the message answered, From the platform's sending address
/// (Email:ReplyFrom, SPF-friendly) with <paramref name="FromName"/> as display name, Reply-To the
/// thread's plus address. Nothing is recorded when the mail server does not take it.
/// </summary>
public sealed record SendEmailReplyCommand(Guid TenantId, Guid ThreadId, string? Text, string? FromName) : ICommand<EmailMessageDto>;

public sealed class SendEmailReplyCommandValidator : AbstractValidator<SendEmailReplyCommand>
{
    public SendEmailReplyCommandValidator()
    {
        RuleFor(c => c.Text).NotEmpty().MaximumLength(100_000);
        RuleFor(c => c.FromName).MaximumLength(100).Must(n => n is null || !n.Any(char.IsControl)).WithErrorCode("invalid_value")
            .WithMessage("from_name must not contain control characters.");
    }
}

public sealed class SendEmailReplyCommandHandler(IEmailThreads threads, IEmailAddresses addresses, IEmailReplySender sender, EmailOptions options, IClock clock)
    : IRequestHandler<SendEmailReplyCommand, EmailMessageDto>
{
    public async Task<EmailMessageDto> Handle(SendEmailReplyCommand request, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(options.ReplyFrom) || string.IsNullOrWhiteSpace(options.InboundDomain))
            throw new ConflictException("email_not_configured", "The platform sends no replies (Email:ReplyFrom and Email:InboundDomain): ask the operator.");
        var thread = await threads.FindAsync(request.TenantId, request.ThreadId, ct) ?? throw GetEmailThreadQueryHandler.NotFound();
        var route = await addresses.FindRouteAsync(thread.AddressId, ct) ?? throw GetEmailThreadQueryHandler.NotFound();
        var answered = await threads.LastReceivedAsync(thread.Id, ct)
                       ?? throw new ConflictException("email_thread_has_no_sender", "The thread has no received message to reply to.");

        var sendingDomain = options.ReplyFrom[(options.ReplyFrom.LastIndexOf('@') + 1)..];
        // A mail that came without a Message-ID is known by a hash of its bytes: nothing a mail client could refer to.
        var inReplyTo = answered.MessageId.StartsWith("sha256:", StringComparison.Ordinal) ? null : answered.MessageId;
        var reply = new OutgoingReply(MailThreading.NewMessageId(sendingDomain), options.ReplyFrom, string.IsNullOrWhiteSpace(request.FromName) ? "Support" : request.FromName.Trim(),
            answered.FromAddress, MailThreading.Address(route.Token, thread.Token, options.InboundDomain), Subject(answered.Subject), request.Text!,
            inReplyTo, MailThreading.ReplyReferences(answered.References, inReplyTo));

        var now = clock.UtcNow;
        var id = Guid.CreateVersion7(now);
        var mail = new ParsedMail(reply.MessageId, inReplyTo is null ? [] : [inReplyTo], reply.References, reply.FromAddress, reply.FromName, [reply.To], reply.Subject,
            reply.Text, null, false, []);
        // Recorded first, in this transaction: if the server refuses, the exception rolls it back.
        await threads.AddMessageAsync(new NewMailMessage(id, request.TenantId, thread.Id, thread.AddressId, "out", reply.MessageId, mail, null, now, reply.References), ct);
        await sender.SendAsync(reply, ct);
        return new EmailMessageDto(id, "out", reply.MessageId, new MailPerson(reply.FromAddress, reply.FromName), [reply.To], reply.Subject, reply.Text, null, false, null, now, []);
    }

    private static string Subject(string subject) =>
        subject.StartsWith("re:", StringComparison.OrdinalIgnoreCase) ? subject : "Re: " + (subject.Length == 0 ? "(no subject)" : subject);
}
