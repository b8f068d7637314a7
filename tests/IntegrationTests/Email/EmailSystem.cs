using System.Text.Json;
using Integrations.IntegrationTests.Api;
using Integrations.Infrastructure.Email;
using Integrations.IntegrationTests.Infrastructure;
using MailKit.Net.Smtp;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;

namespace Integrations.IntegrationTests.Email;

/// <summary>
/// The e-mail connector's system: the API, PostgreSQL, the broker and a Workers host running the relay,
/// the inbound pipeline and the SMTP listener (on a free loopback port) for the inbound domain <see cref="Domain"/>.
/// </summary>
public class EmailSystem : TestSystem
{
    public const string Domain = "in.mail.test";

    /// <summary>A small limit, so the test can cross it.</summary>
    public const int MaxMessageBytes = 64 * 1024;

    protected override bool StartWorkers => false;

    protected override IDictionary<string, string?> ExtraConfiguration => new Dictionary<string, string?>
    {
        ["Email:InboundDomain"] = Domain,
        ["Email:Smtp:Bind"] = "127.0.0.1",
        ["Email:Smtp:Port"] = "0",
        ["Email:Smtp:MaxMessageBytes"] = MaxMessageBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Email:MaxAttachmentBytes"] = "1024",
        ["Email:ReplyFrom"] = ReplyFrom,
        ["Email:Dkim:Selector"] = "s1",
        ["Email:Dkim:PrivateKeyPath"] = DkimKeyPath,
        // Replies go out through the SMTP catcher (a real SMTP server process), as through the operator's server.
        ["Mail:Host"] = "127.0.0.1",
        ["Mail:Port"] = Catcher.SmtpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Mail:Tls"] = "none",
        ["Mail:From"] = "Integrations <notifications@mail.test>",
        ["Mail:BaseUrl"] = "http://localhost",
        // The parse webhooks, each with basic auth of its own.
        ["Email:Brevo:Username"] = BrevoUser,
        ["Email:Brevo:Password"] = BrevoPassword,
        ["Email:Mailjet:Username"] = MailjetUser,
        ["Email:Mailjet:Password"] = MailjetPassword,
    };

    public const string BrevoUser = "brevo";
    public const string BrevoPassword = "b7c1e0f24a9d4e6c8f3a5b2d1e0c9f8a";
    public const string MailjetUser = "mailjet";
    public const string MailjetPassword = "parse-route-password";

    public const string ReplyFrom = "support@mail.test";

    /// <summary>The DKIM key replies are signed with; its public half is what a receiver would find at s1._domainkey.mail.test.</summary>
    public System.Security.Cryptography.RSA DkimKey { get; } = System.Security.Cryptography.RSA.Create(2048);

    private string DkimKeyPath { get; } = Path.Combine(Path.GetTempPath(), $"dkim-{Guid.NewGuid():N}.pem");

    public SmtpCatcherFake Catcher { get; private set; } = null!;

    public int SmtpPort { get; private set; }

    public override async Task InitializeAsync()
    {
        await File.WriteAllTextAsync(DkimKeyPath, DkimKey.ExportRSAPrivateKeyPem());
        Catcher = await SmtpCatcherFake.StartAsync();
        await base.InitializeAsync();
        await StartWorkersAsync(new Dictionary<string, string?> { ["Workers:Pipelines"] = "outbox-relay,inbound,email-smtp" });
        SmtpPort = await Workers!.Services.GetRequiredService<SmtpMailListener>().Port.WaitAsync(TimeSpan.FromSeconds(10));
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (Catcher is not null) await Catcher.DisposeAsync();
        File.Delete(DkimKeyPath);
    }

    public async Task<JsonElement> CreateAddressAsync(HttpClient tenant, string entityType = "ticket", bool repliesAsComments = true) =>
        await (await System.Net.Http.Json.HttpClientJsonExtensions.PostAsJsonAsync(tenant, "/api/v1/email/addresses",
            new { entity_type = entityType, replies_as_comments = repliesAsComments })).ShouldBeJsonAsync(System.Net.HttpStatusCode.Created);

    /// <summary>Sends through the listener as a mail server would (MailKit, plain SMTP on loopback).</summary>
    public async Task SendAsync(MimeMessage message, params string[] recipients)
    {
        using var client = new SmtpClient { Timeout = 30_000 };
        await client.ConnectAsync("127.0.0.1", SmtpPort, MailKit.Security.SecureSocketOptions.None);
        if (recipients.Length > 0)
            await client.SendAsync(message, MailboxAddress.Parse("sender@customer.example"), recipients.Select(MailboxAddress.Parse));
        else await client.SendAsync(message);
        await client.DisconnectAsync(true);
    }

    public static MimeMessage Mail(string to, string subject, string text, string? messageId = null, string? inReplyTo = null, params string[] references)
    {
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress("Ada Customer", "ada@customer.example"));
        message.To.Add(MailboxAddress.Parse(to));
        message.Subject = subject;
        message.MessageId = messageId ?? $"{Guid.NewGuid():N}@customer.example";
        if (inReplyTo is not null) message.InReplyTo = inReplyTo;
        foreach (var reference in references) message.References.Add(reference);
        message.Body = new TextPart("plain") { Text = text };
        return message;
    }
}
