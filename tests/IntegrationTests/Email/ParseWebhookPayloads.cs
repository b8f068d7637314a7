using System.Text.Json;

namespace Integrations.IntegrationTests.Email;

/// <summary>
/// The JSON the two parse-webhook providers POST, as their documentation describes it; the tests send it as they would.
/// </summary>
public static class ParseWebhookPayloads
{
    /// <summary>
    /// Brevo inbound parsing (https://developers.brevo.com/docs/inbound-parse-webhooks): a top-level <c>items</c> array, one
    /// per received mail, with Uuid, Recipients (the envelope), MessageId, InReplyTo, From {Name, Address}, To/Cc [{Name,
    /// Address}], ReplyTo, SentAtDate, Subject, Attachments (metadata with a DownloadToken), Headers, SpamScore,
    /// ExtractedMarkdownMessage/Signature, RawHtmlBody, RawTextBody and EMLDownloadToken.
    /// </summary>
    public static string Brevo(string to, string subject, string text, string messageId, string? inReplyTo = null) => JsonSerializer.Serialize(new
    {
        items = new[]
        {
            new Dictionary<string, object?>
            {
                ["Uuid"] = new[] { Guid.NewGuid().ToString() },
                ["MessageId"] = $"<{messageId}>",
                ["InReplyTo"] = inReplyTo is null ? null : $"<{inReplyTo}>",
                ["From"] = new { Name = "Ada Customer", Address = "ada@customer.example" },
                ["To"] = new[] { new { Name = (string?)null, Address = to } },
                ["Cc"] = Array.Empty<object>(),
                ["ReplyTo"] = null,
                ["SentAtDate"] = "Tue, 8 Dec 2026 09:30:00 +0100",
                ["Subject"] = subject,
                ["Attachments"] = new[] { new { Name = "photo.jpg", ContentType = "image/jpeg", ContentLength = 1234, ContentID = (string?)null, DownloadToken = "token" } },
                ["Headers"] = new Dictionary<string, object>
                {
                    ["Message-ID"] = $"<{messageId}>",
                    ["Received"] = new[] { "from mail.customer.example by inbound1.sendinblue.com", "from laptop by mail.customer.example" },
                    ["References"] = inReplyTo is null ? "" : $"<{inReplyTo}>",
                },
                ["SpamScore"] = 0.4,
                ["ExtractedMarkdownMessage"] = text,
                ["ExtractedMarkdownSignature"] = null,
                ["RawHtmlBody"] = $"<p>{text}</p>",
                ["RawTextBody"] = text,
                ["EMLDownloadToken"] = "eml-token",
                ["Recipients"] = new[] { to },
            },
        },
    });

    /// <summary>
    /// Mailjet Parse API (https://dev.mailjet.com/email/guides/parse-api/): one mail per POST with Sender, Recipient (the
    /// envelope), Date (yyyyMMddTHHmmss), From, Subject, Headers (the mail's), Parts (each naming by ContentRef the property
    /// holding it: Text-part, Html-part, Attachment1 … in base64), SpamAssassinScore, CustomID and Payload.
    /// </summary>
    public static string Mailjet(string to, string subject, string text, string messageId, string? inReplyTo = null, byte[]? attachment = null)
    {
        var headers = new Dictionary<string, object>
        {
            ["Return-Path"] = "<ada@customer.example>",
            ["Message-ID"] = $"<{messageId}>",
            ["To"] = $"<{to}>",
            ["Subject"] = subject,
            ["Content-Type"] = "multipart/mixed; boundary=\"b1\"",
        };
        if (inReplyTo is not null)
        {
            headers["In-Reply-To"] = $"<{inReplyTo}>";
            headers["References"] = $"<{inReplyTo}>";
        }
        var parts = new List<object>
        {
            new { Headers = new Dictionary<string, string> { ["Content-Type"] = "text/plain; charset=UTF-8" }, ContentRef = "Text-part" },
            new { Headers = new Dictionary<string, string> { ["Content-Type"] = "text/html; charset=UTF-8" }, ContentRef = "Html-part" },
        };
        var payload = new Dictionary<string, object?>
        {
            ["Sender"] = "ada@customer.example",
            ["Recipient"] = to,
            ["Date"] = "20261208T083000",
            ["From"] = "Ada Customer <ada@customer.example>",
            ["Subject"] = subject,
            ["Headers"] = headers,
            ["Parts"] = parts,
            ["SpamAssassinScore"] = "0.602",
            ["Text-part"] = text,
            ["Html-part"] = $"<p>{text}</p>",
            ["CustomID"] = "",
            ["Payload"] = "",
        };
        if (attachment is not null)
        {
            parts.Add(new
            {
                Headers = new Dictionary<string, string> { ["Content-Type"] = "text/plain; name=\"notes.txt\"", ["Content-Disposition"] = "attachment; filename=\"notes.txt\"" },
                ContentRef = "Attachment1",
            });
            payload["Attachment1"] = Convert.ToBase64String(attachment);
        }
        return JsonSerializer.Serialize(payload);
    }
}
