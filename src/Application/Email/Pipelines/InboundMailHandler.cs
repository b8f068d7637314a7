using System.Text.Json;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Email.Commands.AcceptMail;
using Integrations.Application.Inbound;
using Integrations.Application.ProductBridge;
using Integrations.Domain.Common;
using Integrations.Domain.Email;
using Integrations.Domain.ProductBridge;

namespace Integrations.Application.Email.Pipelines;

/// <summary>
/// A received mail (an inbound request of provider <c>email</c>) becomes a message of a thread and a
/// product command (ADR 0032): a new thread → <c>entity.create</c> of the address's entity type; a
/// reply in a thread (In-Reply-To/References, or the plus address) → <c>comment.add</c> on the
/// thread's entity, when the address says so. The command ids are named by the address and the mail's
/// Message-ID, so the same mail never issues a command twice.
/// </summary>
public sealed class InboundMailHandler(
    IEmailAddresses addresses, IEmailThreads threads, IMailParser parser, ProductCommandSender sender, IEventReadModel events, EmailOptions options, IClock clock)
    : IInboundRequestHandler
{
    /// <summary>Text passed on in a command: the product reads a command from one Kafka message (256 KiB of data at most).</summary>
    public const int MaxCommandTextChars = 50_000;

    public string Provider => EmailProvider.Id;

    public async Task<InboundHandled> HandleAsync(InboundEnvelope envelope, CancellationToken ct)
    {
        if (!Guid.TryParse(envelope.AccountId, out var addressId) || await addresses.FindRouteAsync(addressId, ct) is not { } route || route.TenantId != envelope.TenantId)
            return new InboundHandled(InboundStatuses.Unrouted, []);
        var raw = Convert.FromBase64String(envelope.BodyBase64);
        var mail = parser.Parse(raw, options.MaxAttachmentBytes, options.MaxBodyChars);
        var identity = MailThreading.Identity(mail.MessageId, raw);

        var referenced = MailThreading.ReferencedIds(mail.InReplyTo, mail.References);
        var known = await threads.FindByMessageIdsAsync(route.AddressId, referenced, ct);
        var recipient = envelope.Headers.TryGetValue(AcceptMailCommandHandler.EnvelopeToHeader, out var to) ? MailThreading.ParseRecipient(to, options.InboundDomain ?? "") : null;
        var plus = recipient?.ThreadToken is { } token ? await threads.FindByTokenAsync(route.AddressId, token, ct) : null;

        var now = clock.UtcNow;
        var choice = MailThreading.Choose(referenced, known, plus?.Id);
        if (choice is ThreadChoice.Existing existing && await threads.FindAsync(route.TenantId, existing.ThreadId, ct) is { } thread)
        {
            var commandId = route.RepliesAsComments ? await CommentAsync(route, thread, mail, identity, ct) : null;
            await threads.AddMessageAsync(new NewMailMessage(Guid.CreateVersion7(now), route.TenantId, thread.Id, route.AddressId, "in", identity, mail, commandId, now, References(mail)), ct);
        }
        else
        {
            var created = new MailThread(Guid.CreateVersion7(now), route.TenantId, route.AddressId, MailThreading.NewThreadToken(), Subject(mail), route.EntityType, null,
                MailThreading.CommandId(route.AddressId, identity, ProductCommandRules.EntityCreate));
            await threads.CreateAsync(created, now, ct);
            var commandId = await CreateAsync(route, created, mail, identity, ct);
            await threads.AddMessageAsync(new NewMailMessage(Guid.CreateVersion7(now), route.TenantId, created.Id, route.AddressId, "in", identity, mail, commandId, now, References(mail)), ct);
        }
        return new InboundHandled(InboundStatuses.Processed, [route.TenantId]);
    }

    private async Task<Guid> CreateAsync(MailRoute route, MailThread thread, ParsedMail mail, string identity, CancellationToken ct)
    {
        var data = JsonSerializer.SerializeToElement(new
        {
            attributes = new { subject = thread.Subject, from = mail.FromAddress, from_name = mail.FromName, text = Cut(mail.Text) },
            source = EmailProvider.Id,
            email = Reference(route, thread, identity, mail),
        });
        var issued = await sender.SendAsync(new NewProductCommand(route.TenantId, ProductCommandRules.EntityCreate, new EntityTarget(route.EntityType, null), data,
            Origin(identity), thread.CreateCommandId, $"email:{identity}"), ct);
        return issued.Id;
    }

    /// <summary>
    /// comment.add on the thread's entity: known from the product's answer to the create (its
    /// <c>entity_id</c>, remembered on the thread once read). Before the product answered, there is no
    /// entity to name: the message is kept in the thread without a command (docs/connectors/email.md).
    /// </summary>
    private async Task<Guid?> CommentAsync(MailRoute route, MailThread thread, ParsedMail mail, string identity, CancellationToken ct)
    {
        var entityId = thread.EntityId;
        if (entityId is null && await events.FindAnswerAsync(route.TenantId, thread.CreateCommandId, ct) is { } answer
            && answer.Data.ValueKind == JsonValueKind.Object && answer.Data.TryGetProperty("entity_id", out var id) && id.ValueKind == JsonValueKind.String
            && id.GetString() is { Length: > 0 } answered)
        {
            entityId = answered;
            await threads.SetEntityAsync(thread.Id, answered, ct);
        }
        if (entityId is null) return null;
        var body = Cut(mail.Text) is { Length: > 0 } text ? text : $"({Subject(mail)})";
        var data = JsonSerializer.SerializeToElement(new
        {
            body,
            author = new { email = mail.FromAddress, name = mail.FromName },
            source = EmailProvider.Id,
            email = Reference(route, thread, identity, mail),
        });
        var issued = await sender.SendAsync(new NewProductCommand(route.TenantId, ProductCommandRules.CommentAdd, new EntityTarget(thread.EntityType, entityId), data,
            Origin(identity), MailThreading.CommandId(route.AddressId, identity, ProductCommandRules.CommentAdd), $"email:{identity}"), ct);
        return issued.Id;
    }

    private object Reference(MailRoute route, MailThread thread, string identity, ParsedMail mail) => new
    {
        address_id = route.AddressId,
        thread_id = thread.Id,
        message_id = identity,
        subject = mail.Subject,
        attachments = mail.Attachments.Count,
        reply_to = MailThreading.Address(route.Token, thread.Token, options.InboundDomain ?? ""),
    };

    private static IReadOnlyList<string> References(ParsedMail mail) => [.. mail.References.Select(MailThreading.Normalize).OfType<string>()];

    private static CommandOrigin Origin(string identity) =>
        new(null, EmailProvider.Id, identity.Length <= ProductCommandRules.MaxExternalReferenceLength ? identity : identity[..ProductCommandRules.MaxExternalReferenceLength]);

    private static string Subject(ParsedMail mail) => string.IsNullOrWhiteSpace(mail.Subject) ? "(no subject)" : mail.Subject.Trim();

    private static string? Cut(string? text) => text is null ? null : text.Length <= MaxCommandTextChars ? text.Trim() : text[..MaxCommandTextChars];
}
