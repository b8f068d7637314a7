using Integrations.Application.Email;
using MimeKit;

namespace Integrations.Infrastructure.Email;

/// <summary><see cref="IMailParser"/> with MimeKit: text and HTML bodies, addresses, threading headers and attachments (never opened, only measured and kept).</summary>
public sealed class MimeMailParser : IMailParser
{
    public ParsedMail Parse(byte[] raw, int maxAttachmentBytes, int maxBodyChars)
    {
        var message = Load(raw);
        var from = message.From.Mailboxes.FirstOrDefault() ?? message.Sender;
        var truncated = false;
        string? Cut(string? text)
        {
            if (text is null || text.Length <= maxBodyChars) return text;
            truncated = true;
            return text[..maxBodyChars];
        }
        var attachments = message.Attachments.Select(entity => Attachment(entity, maxAttachmentBytes)).ToList();
        return new ParsedMail(message.MessageId, message.InReplyTo is { } inReplyTo ? [inReplyTo] : [], [.. message.References],
            from?.Address ?? "", string.IsNullOrWhiteSpace(from?.Name) ? null : from.Name, [.. message.To.Mailboxes.Concat(message.Cc.Mailboxes).Select(m => m.Address)],
            message.Subject ?? "", Cut(message.TextBody), Cut(message.HtmlBody), truncated, attachments);
    }

    public string? MessageIdOf(byte[] raw)
    {
        try
        {
            using var stream = new MemoryStream(raw, writable: false);
            return HeaderList.Load(stream)[HeaderId.MessageId];
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static MimeMessage Load(byte[] raw)
    {
        using var stream = new MemoryStream(raw, writable: false);
        return MimeMessage.Load(stream);
    }

    private static ParsedAttachment Attachment(MimeEntity entity, int maxBytes)
    {
        var name = entity is MimePart part ? part.FileName : entity.ContentDisposition?.FileName ?? (entity as MessagePart)?.Message?.Subject;
        using var content = new MemoryStream();
        switch (entity)
        {
            case MimePart mimePart:
                mimePart.Content?.DecodeTo(content);
                break;
            case MessagePart messagePart:
                messagePart.Message?.WriteTo(content);
                break;
        }
        var size = content.Length;
        return new ParsedAttachment(string.IsNullOrWhiteSpace(name) ? "attachment" : name, entity.ContentType.MimeType, size, size <= maxBytes ? content.ToArray() : null);
    }
}
