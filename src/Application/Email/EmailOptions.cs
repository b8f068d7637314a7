namespace Integrations.Application.Email;

/// <summary>The e-mail connector's settings (Email:*, docs/configuration.md, docs/connectors/email.md).</summary>
public sealed class EmailOptions
{
    public const string Section = "Email";

    /// <summary>The domain of the tenants' inbound addresses (<c>&lt;token&gt;@InboundDomain</c>); its MX points at the SMTP listener or a parse webhook. Unset: no addresses can be created.</summary>
    public string? InboundDomain { get; set; }

    /// <summary>
    /// The address replies are sent from (e.g. support@mail.example.com): one the platform's mail server may send for
    /// (SPF, DKIM), never the member's own; the member's name is its display name. Unset: replies cannot be sent.
    /// The server is the one of Mail:* (Host, Port, Tls, Username, Password).
    /// </summary>
    public string? ReplyFrom { get; set; }

    /// <summary>DKIM signing of replies: with a key, every reply is signed for the domain of <see cref="ReplyFrom"/>.</summary>
    public DkimOptions Dkim { get; set; } = new();

    /// <summary>The SMTP listener (Workers pipeline <c>email-smtp</c>).</summary>
    public SmtpListenerOptions Smtp { get; set; } = new();

    /// <summary>An attachment larger than this is recorded (name, type, size) without its content, and flagged.</summary>
    public int MaxAttachmentBytes { get; set; } = 5 * 1024 * 1024;

    /// <summary>Text kept per message (plain and HTML each); the rest is cut off, and the message flagged.</summary>
    public int MaxBodyChars { get; set; } = 200_000;

    /// <summary>Brevo inbound parsing webhooks (POST /inbound/email/brevo, basic auth). Unset credentials: the URL does not exist.</summary>
    public ParseWebhookOptions Brevo { get; set; } = new();

    /// <summary>Mailjet Parse API webhooks (POST /inbound/email/mailjet, basic auth). Unset credentials: the URL does not exist.</summary>
    public ParseWebhookOptions Mailjet { get; set; } = new();
}

/// <summary>
/// A parse webhook's credentials: neither Brevo nor Mailjet signs its requests, so HTTP basic auth, which both send
/// from the userinfo of the URL they are given (https://user:password@host/…), is what proves the caller. A header,
/// not a path segment: request logs write paths.
/// </summary>
public sealed class ParseWebhookOptions
{
    /// <summary>The user name the provider must send. Unset (or no password): the provider's URL answers 404.</summary>
    public string? Username { get; set; }

    /// <summary>The password: long and random (e.g. 32 random bytes as hex).</summary>
    public string? Password { get; set; }
}

public sealed class SmtpListenerOptions
{
    /// <summary>The address to listen on; 0.0.0.0 for every interface.</summary>
    public string Bind { get; set; } = "0.0.0.0";

    /// <summary>The port; 25 for MX delivery (or a high port behind a forward); 0 picks a free one (tests).</summary>
    public int Port { get; set; } = 2525;

    /// <summary>A message larger than this is refused (552), announced with SIZE.</summary>
    public int MaxMessageBytes { get; set; } = 10 * 1024 * 1024;

    /// <summary>The name the server greets with.</summary>
    public string ServerName { get; set; } = "integrations";
}

public sealed class DkimOptions
{
    /// <summary>The DNS selector (<c>selector._domainkey.domain</c> holds the public key).</summary>
    public string? Selector { get; set; }

    /// <summary>A PEM file with the RSA private key. Unset: replies are not signed.</summary>
    public string? PrivateKeyPath { get; set; }
}
