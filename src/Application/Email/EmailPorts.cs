using Integrations.Application.Common.Listing;
using Integrations.Application.Common.Models;

namespace Integrations.Application.Email;

/// <summary>The provider id inbound mail is stored under (inbound_requests.provider) and product commands name as their origin.</summary>
public static class EmailProvider
{
    public const string Id = "email";
}

/// <summary>A tenant's inbound address as the API shows it.</summary>
/// <param name="Address">Where the customer forwards mail: <c>token@inbound domain</c>.</param>
/// <param name="RevokedAt">When it was revoked; a revoked address refuses mail.</param>
public sealed record EmailAddressDto(Guid Id, string Address, string EntityType, bool RepliesAsComments, string Status, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt);

/// <summary>An active address, as the listener and the processing need it (across tenants, found by its token).</summary>
public sealed record MailRoute(Guid TenantId, Guid AddressId, string Token, string EntityType, bool RepliesAsComments);

/// <summary>The addresses' read model (email_addresses, inline projection of their streams).</summary>
public interface IEmailAddresses
{
    Task<EmailAddressDto?> FindAsync(Guid tenantId, Guid addressId, CancellationToken ct);

    Task<CursorPage<EmailAddressDto>> ListAsync(Guid tenantId, ListQuery query, CancellationToken ct);

    /// <summary>The active address with this token, whatever its tenant; null when none (or revoked).</summary>
    Task<MailRoute?> FindActiveAsync(string token, CancellationToken ct);

    /// <summary>The address by id, active or not (processing a mail accepted before it was revoked).</summary>
    Task<MailRoute?> FindRouteAsync(Guid addressId, CancellationToken ct);
}

/// <summary>An attachment as parsed: its content only when within the size limit.</summary>
public sealed record ParsedAttachment(string FileName, string ContentType, long Size, byte[]? Content);

/// <summary>A received mail as the processing reads it (parsed with MimeKit in Infrastructure).</summary>
public sealed record ParsedMail(
    string? MessageId, IReadOnlyList<string> InReplyTo, IReadOnlyList<string> References, string FromAddress, string? FromName, IReadOnlyList<string> To,
    string Subject, string? Text, string? Html, bool Truncated, IReadOnlyList<ParsedAttachment> Attachments);

public interface IMailParser
{
    /// <summary>Parses a raw RFC 5322 message; attachments over <paramref name="maxAttachmentBytes"/> keep no content. Throws <see cref="FormatException"/> for what is no message.</summary>
    ParsedMail Parse(byte[] raw, int maxAttachmentBytes, int maxBodyChars);

    /// <summary>Only the Message-ID header (null when absent or the bytes are no message): what deduplication needs at intake.</summary>
    string? MessageIdOf(byte[] raw);
}

/// <summary>A thread of the shared inbox: the entity it became (once the product answered) and its create command.</summary>
public sealed record MailThread(Guid Id, Guid TenantId, Guid AddressId, string Token, string Subject, string EntityType, string? EntityId, Guid CreateCommandId);

/// <summary>A message of a thread, in or out. <paramref name="References"/>: the Message-IDs it refers to (what a reply to it must carry on).</summary>
public sealed record NewMailMessage(
    Guid Id, Guid TenantId, Guid ThreadId, Guid AddressId, string Direction, string MessageId, ParsedMail Mail, Guid? CommandId, DateTimeOffset At,
    IReadOnlyList<string> References);

/// <summary>A thread of the shared inbox as the API lists it; <paramref name="ReplyTo"/> is its plus address.</summary>
public sealed record EmailThreadDto(Guid Id, Guid AddressId, string Subject, string EntityType, string? EntityId, string ReplyTo, int MessageCount,
    DateTimeOffset CreatedAt, DateTimeOffset LastMessageAt);

public sealed record MailPerson(string Address, string? Name);

/// <param name="Id">The attachment's number within its message (its download URL's last part).</param>
/// <param name="TooLarge">Larger than Email:MaxAttachmentBytes at intake: name, type and size are kept, the content is not.</param>
public sealed record EmailAttachmentDto(int Id, string FileName, string ContentType, long Size, bool TooLarge);

/// <param name="Direction">in: received; out: a reply sent from the app.</param>
/// <param name="Truncated">Its text or HTML was longer than Email:MaxBodyChars and is cut off.</param>
/// <param name="CommandId">The product command it issued (entity.create, comment.add), if any.</param>
public sealed record EmailMessageDto(Guid Id, string Direction, string MessageId, MailPerson From, IReadOnlyList<string> To, string Subject, string? Text, string? Html,
    bool Truncated, Guid? CommandId, DateTimeOffset CreatedAt, IReadOnlyList<EmailAttachmentDto> Attachments);

public sealed record EmailThreadDetailDto(Guid Id, Guid AddressId, string Subject, string EntityType, string? EntityId, string ReplyTo, DateTimeOffset CreatedAt,
    DateTimeOffset LastMessageAt, IReadOnlyList<EmailMessageDto> Messages);

/// <summary>An attachment's stored bytes (null: too large at intake, not kept).</summary>
public sealed record EmailAttachmentContent(string FileName, byte[]? Content);

/// <summary>What the reply answers: the thread's last received message.</summary>
public sealed record AnsweredMessage(string MessageId, string FromAddress, string Subject, IReadOnlyList<string> References);

/// <summary>A reply as it goes out (ADR 0032): our Message-ID, the threading headers, From our sending address with the member's name, Reply-To the thread's plus address.</summary>
public sealed record OutgoingReply(string MessageId, string FromAddress, string FromName, string To, string ReplyTo, string Subject, string Text,
    string? InReplyTo, IReadOnlyList<string> References);

/// <summary>Sends a reply over SMTP; throws <see cref="MailSendException"/> when the server cannot be reached or refuses it.</summary>
public interface IEmailReplySender
{
    Task SendAsync(OutgoingReply reply, CancellationToken ct);
}

/// <summary>The mail server did not take the reply; the message says why in words that carry no credential.</summary>
public sealed class MailSendException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Threads and their messages (email_threads, email_messages, email_attachments; migration 0054).</summary>
public interface IEmailThreads
{
    /// <summary>Of the given Message-IDs, those the address has seen or sent, with their thread.</summary>
    Task<IReadOnlyDictionary<string, Guid>> FindByMessageIdsAsync(Guid addressId, IReadOnlyList<string> messageIds, CancellationToken ct);

    Task<MailThread?> FindByTokenAsync(Guid addressId, string threadToken, CancellationToken ct);

    Task<MailThread?> FindAsync(Guid tenantId, Guid threadId, CancellationToken ct);

    Task CreateAsync(MailThread thread, DateTimeOffset at, CancellationToken ct);

    /// <summary>Writes the message and its attachments; false when the address has the Message-ID already (nothing written).</summary>
    Task<bool> AddMessageAsync(NewMailMessage message, CancellationToken ct);

    Task SetEntityAsync(Guid threadId, string entityId, CancellationToken ct);

    /// <summary>The tenant's threads, most recent message first.</summary>
    Task<CursorPage<EmailThreadDto>> ListAsync(Guid tenantId, ListQuery query, string inboundDomain, CancellationToken ct);

    /// <summary>A thread of the tenant's with its messages, oldest first; null when not the tenant's.</summary>
    Task<EmailThreadDetailDto?> FindDetailAsync(Guid tenantId, Guid threadId, string inboundDomain, CancellationToken ct);

    /// <summary>An attachment of a message of a thread, all of the tenant's; null when there is no such.</summary>
    Task<EmailAttachmentContent?> FindAttachmentAsync(Guid tenantId, Guid threadId, Guid messageId, int position, CancellationToken ct);

    /// <summary>The thread's last received message; null when it has none.</summary>
    Task<AnsweredMessage?> LastReceivedAsync(Guid threadId, CancellationToken ct);
}
