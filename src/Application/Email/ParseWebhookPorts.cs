namespace Integrations.Application.Email;

/// <summary>The parse-webhook providers whose JSON we take (docs/connectors/email.md#parse-webhooks-brevo-and-mailjet).</summary>
public static class ParseWebhookProviders
{
    /// <summary>Brevo inbound parsing: https://developers.brevo.com/docs/inbound-parse-webhooks</summary>
    public const string Brevo = "brevo";

    /// <summary>Mailjet Parse API: https://dev.mailjet.com/email/guides/parse-api/</summary>
    public const string Mailjet = "mailjet";
}

/// <summary>One mail of a parse webhook, rebuilt as MIME: its envelope recipients, and the bytes the SMTP listener would have stored.</summary>
public sealed record WebhookMail(IReadOnlyList<string> Recipients, byte[] Raw);

/// <summary>
/// Turns a parse webhook's JSON into MIME messages (MimeKit, Infrastructure), so that such a mail is stored and
/// processed exactly as one the SMTP listener took: threading by Message-ID / In-Reply-To / References, bodies, attachments.
/// </summary>
public interface IWebhookMailComposer
{
    /// <summary>The payload's mails; null when the body is not the provider's documented JSON.</summary>
    IReadOnlyList<WebhookMail>? Compose(string provider, byte[] json);
}
