using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Integrations.Application.Email;
using MimeKit;
using MimeKit.Utils;

namespace Integrations.Infrastructure.Email;

/// <summary>
/// <see cref="IWebhookMailComposer"/> with MimeKit: a parse webhook's JSON becomes the MIME message the SMTP listener
/// would have stored (Message-ID, In-Reply-To, References, From, To, Cc, Subject, Date, text, HTML, attachments),
/// so threading, storage and processing stay one path. A mail without a Message-ID gets one named by its JSON,
/// so that a redelivery is recognised (the MIME boundaries are random; the JSON is not).
/// </summary>
public sealed class WebhookMailComposer : IWebhookMailComposer
{
    public IReadOnlyList<WebhookMail>? Compose(string provider, byte[] json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return provider switch
            {
                ParseWebhookProviders.Brevo => Brevo(document.RootElement),
                ParseWebhookProviders.Mailjet => Mailjet(document.RootElement),
                _ => null,
            };
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// Brevo inbound parsing (https://developers.brevo.com/docs/inbound-parse-webhooks): <c>{"items": [...]}</c>, each with
    /// Uuid, Recipients (the envelope's), MessageId, InReplyTo, From {Name, Address}, To/Cc [{Name, Address}], SentAtDate,
    /// Subject, Headers, RawTextBody, RawHtmlBody, ExtractedMarkdownMessage and Attachments [{Name, ContentType,
    /// ContentLength, DownloadToken}]. Attachments come without content (a DownloadToken for Brevo's API): not kept.
    /// </summary>
    private static List<WebhookMail>? Brevo(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("items", out var items) || items.ValueKind != JsonValueKind.Array) return null;
        var mails = new List<WebhookMail>();
        foreach (var item in items.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object) return null;
            var headers = Headers(item, "Headers");
            var to = Mailboxes(item, "To");
            var cc = Mailboxes(item, "Cc");
            var draft = new Draft(
                Text(item, "MessageId") ?? headers.GetValueOrDefault("Message-ID"),
                Text(item, "InReplyTo") ?? headers.GetValueOrDefault("In-Reply-To"),
                headers.GetValueOrDefault("References"),
                Mailbox(item.TryGetProperty("From", out var from) ? from : default), to, cc,
                Text(item, "Subject"), Text(item, "SentAtDate") is { } sent && DateUtils.TryParse(sent, out var date) ? date : null,
                Text(item, "RawTextBody") ?? Text(item, "ExtractedMarkdownMessage"), Text(item, "RawHtmlBody"), []);
            // The envelope's recipients (Bcc included): as strings, or as {Name, Address} like To; without them, To and Cc.
            List<string> recipients = item.TryGetProperty("Recipients", out var envelope) && envelope.ValueKind == JsonValueKind.Array
                ? [.. envelope.EnumerateArray().Select(r => r.ValueKind == JsonValueKind.String ? r.GetString() : Mailbox(r)?.Address).OfType<string>()]
                : [];
            if (recipients.Count == 0) recipients = [.. to.Concat(cc).Select(m => m.Address)];
            mails.Add(new WebhookMail(recipients, Build(draft, item)));
        }
        return mails;
    }

    /// <summary>
    /// Mailjet Parse API (https://dev.mailjet.com/email/guides/parse-api/): one mail per POST, with Sender, Recipient (the
    /// envelope's), Date (<c>yyyyMMddTHHmmss</c>, UTC), From, Subject, Headers (the mail's, incl. Message-ID, In-Reply-To,
    /// References, To, Cc), Text-part, Html-part, and Parts, whose ContentRef names the property holding each part
    /// (Attachment1 … as base64).
    /// </summary>
    private static List<WebhookMail>? Mailjet(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object || Text(root, "Recipient") is not { } recipient) return null;
        var headers = Headers(root, "Headers");
        var attachments = new List<(string Name, string Type, byte[] Content)>();
        if (root.TryGetProperty("Parts", out var parts) && parts.ValueKind == JsonValueKind.Array)
            foreach (var part in parts.EnumerateArray())
            {
                if (part.ValueKind != JsonValueKind.Object || Text(part, "ContentRef") is not { } reference || !reference.StartsWith("Attachment", StringComparison.Ordinal)
                    || Text(root, reference) is not { } base64) continue;
                var partHeaders = Headers(part, "Headers");
                var type = ContentType.TryParse(partHeaders.GetValueOrDefault("Content-Type") ?? "application/octet-stream", out var parsed) ? parsed : new ContentType("application", "octet-stream");
                var name = ContentDisposition.TryParse(partHeaders.GetValueOrDefault("Content-Disposition") ?? "", out var disposition) && disposition.FileName is { } file ? file : type.Name ?? reference;
                try
                {
                    attachments.Add((name, type.MimeType, Convert.FromBase64String(base64)));
                }
                catch (FormatException)
                {
                    return null;
                }
            }
        var date = Text(root, "Date") is { } sent && DateTime.TryParseExact(sent, "yyyyMMdd'T'HHmmss", CultureInfo.InvariantCulture,
            DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var utc) ? new DateTimeOffset(utc, TimeSpan.Zero) : (DateTimeOffset?)null;
        var draft = new Draft(headers.GetValueOrDefault("Message-ID"), headers.GetValueOrDefault("In-Reply-To"), headers.GetValueOrDefault("References"),
            InternetAddressList.TryParse(Text(root, "From") ?? headers.GetValueOrDefault("From") ?? "", out var from) ? from.Mailboxes.FirstOrDefault() : null,
            AddressList(headers.GetValueOrDefault("To")), AddressList(headers.GetValueOrDefault("Cc")),
            Text(root, "Subject") ?? headers.GetValueOrDefault("Subject"), date, Text(root, "Text-part"), Text(root, "Html-part"), attachments);
        return [new WebhookMail([recipient], Build(draft, root))];
    }

    private sealed record Draft(string? MessageId, string? InReplyTo, string? References, MailboxAddress? From, IReadOnlyList<MailboxAddress> To,
        IReadOnlyList<MailboxAddress> Cc, string? Subject, DateTimeOffset? Date, string? Text, string? Html, IReadOnlyList<(string Name, string Type, byte[] Content)> Attachments);

    private static byte[] Build(Draft draft, JsonElement source)
    {
        var message = new MimeMessage();
        if (draft.From is not null) message.From.Add(draft.From);
        message.To.AddRange(draft.To);
        message.Cc.AddRange(draft.Cc);
        message.Subject = OneLine(draft.Subject) ?? "";
        if (draft.Date is { } date) message.Date = date;
        message.MessageId = Ids(draft.MessageId).FirstOrDefault()
            ?? $"{Convert.ToHexStringLower(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(source)))}@parse-webhook.invalid";
        if (Ids(draft.InReplyTo).FirstOrDefault() is { } inReplyTo) message.InReplyTo = inReplyTo;
        foreach (var reference in Ids(draft.References)) message.References.Add(reference);
        var body = new BodyBuilder { TextBody = draft.Text, HtmlBody = draft.Html };
        foreach (var (name, type, content) in draft.Attachments) body.Attachments.Add(name, content, ContentType.Parse(type));
        message.Body = body.ToMessageBody();
        using var stream = new MemoryStream();
        message.WriteTo(stream);
        return stream.ToArray();
    }

    /// <summary>Message ids of a header value (<c>&lt;a@b&gt; &lt;c@d&gt;</c>), without their brackets.</summary>
    private static IEnumerable<string> Ids(string? value) => value is null ? [] : MimeUtils.EnumerateReferences(value);

    private static string? OneLine(string? value) => value?.Replace('\r', ' ').Replace('\n', ' ');

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>A header object: each value a string, or (a repeated header) an array of strings, of which the first counts.</summary>
    private static Dictionary<string, string> Headers(JsonElement element, string name)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (!element.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.Object) return headers;
        foreach (var header in value.EnumerateObject())
        {
            var text = header.Value.ValueKind switch
            {
                JsonValueKind.String => header.Value.GetString(),
                JsonValueKind.Array => header.Value.EnumerateArray().Where(v => v.ValueKind == JsonValueKind.String).Select(v => v.GetString()).FirstOrDefault(),
                _ => null,
            };
            if (text is not null) headers.TryAdd(header.Name, text);
        }
        return headers;
    }

    private static List<MailboxAddress> Mailboxes(JsonElement element, string name) =>
        element.TryGetProperty(name, out var list) && list.ValueKind == JsonValueKind.Array ? [.. list.EnumerateArray().Select(Mailbox).OfType<MailboxAddress>()] : [];

    private static MailboxAddress? Mailbox(JsonElement element) =>
        element.ValueKind == JsonValueKind.Object && Text(element, "Address") is { } address && MailboxAddress.TryParse(address, out var mailbox)
            ? new MailboxAddress(OneLine(Text(element, "Name")), mailbox.Address)
            : null;

    private static List<MailboxAddress> AddressList(string? value) => value is not null && InternetAddressList.TryParse(value, out var list) ? [.. list.Mailboxes] : [];
}
