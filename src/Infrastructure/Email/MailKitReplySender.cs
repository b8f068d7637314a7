using Integrations.Application.Email;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Configuration;
using MimeKit;

namespace Integrations.Infrastructure.Email;

/// <summary>
/// Sends the app's replies with MailKit through the server of Mail:* (Host, Port, Tls none|starttls|implicit,
/// Username, Password: the notifications' server). One connection per reply: replies are sent while
/// the member waits, one at a time.
/// </summary>
public sealed class MailKitReplySender(IConfiguration configuration, EmailOptions options) : IEmailReplySender
{
    public async Task SendAsync(OutgoingReply reply, CancellationToken ct)
    {
        var section = configuration.GetSection("Mail");
        if (section["Host"] is not { Length: > 0 } host) throw new MailSendException("No mail server is configured (Mail:Host).");
        var tls = (section["Tls"] ?? "starttls").Trim().ToLowerInvariant() switch
        {
            "none" => SecureSocketOptions.None,
            "implicit" => SecureSocketOptions.SslOnConnect,
            _ => SecureSocketOptions.StartTls,
        };
        var port = int.TryParse(section["Port"], out var p) ? p : tls switch { SecureSocketOptions.None => 25, SecureSocketOptions.SslOnConnect => 465, _ => 587 };
        using var client = new SmtpClient { Timeout = 30_000 };
        try
        {
            await client.ConnectAsync(host, port, tls, ct);
            if (section["Username"] is { Length: > 0 } username) await client.AuthenticateAsync(username, section["Password"] ?? "", ct);
            await client.SendAsync(Signed(Message(reply)), ct);
            await client.DisconnectAsync(quit: true, ct);
        }
        catch (SmtpCommandException e)
        {
            throw new MailSendException($"The mail server refused the reply: {(int)e.StatusCode} {e.Message}", e);
        }
        catch (AuthenticationException e)
        {
            // MailKit's message may quote the server's answer to AUTH; ours says only what failed.
            throw new MailSendException("The mail server refused the platform's credentials.", e);
        }
        catch (Exception e) when (e is not OperationCanceledException and not MailSendException)
        {
            throw new MailSendException("The mail server could not be reached: " + e switch
            {
                System.Net.Sockets.SocketException => "the connection was refused or timed out.",
                TimeoutException => "it did not answer in time.",
                IOException => "the connection broke.",
                _ => "it did not answer as an SMTP server.",
            }, e);
        }
    }

    /// <summary>
    /// DKIM-signed (RFC 6376, rsa-sha256, relaxed/relaxed) for the sending address's domain when a key is
    /// configured: the headers a receiver judges a reply by, and the body.
    /// </summary>
    private MimeMessage Signed(MimeMessage message)
    {
        if (options.Dkim.PrivateKeyPath is not { Length: > 0 } keyPath || options.Dkim.Selector is not { Length: > 0 } selector) return message;
        var domain = message.From.Mailboxes.First().Domain;
        var signer = new MimeKit.Cryptography.DkimSigner(keyPath, domain, selector)
        {
            HeaderCanonicalizationAlgorithm = MimeKit.Cryptography.DkimCanonicalizationAlgorithm.Relaxed,
            BodyCanonicalizationAlgorithm = MimeKit.Cryptography.DkimCanonicalizationAlgorithm.Relaxed,
        };
        message.Prepare(EncodingConstraint.SevenBit);
        signer.Sign(message, [HeaderId.From, HeaderId.To, HeaderId.Subject, HeaderId.Date, HeaderId.MessageId, HeaderId.InReplyTo, HeaderId.References, HeaderId.ReplyTo]);
        return message;
    }

    /// <summary>The reply as MIME (RFC 5322 §3.6.4 threading headers).</summary>
    public static MimeMessage Message(OutgoingReply reply)
    {
        var message = new MimeMessage { Subject = reply.Subject, MessageId = reply.MessageId, Body = new TextPart("plain") { Text = reply.Text } };
        message.From.Add(new MailboxAddress(reply.FromName, reply.FromAddress));
        message.To.Add(MailboxAddress.Parse(reply.To));
        message.ReplyTo.Add(MailboxAddress.Parse(reply.ReplyTo));
        if (reply.InReplyTo is not null) message.InReplyTo = reply.InReplyTo;
        foreach (var reference in reply.References) message.References.Add(reference);
        return message;
    }
}
