using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Integrations.IntegrationTests.Api;
using Integrations.IntegrationTests.Infrastructure;
using Integrations.IntegrationTests.Webhooks.Delivery;
using MimeKit;
using Shouldly;

namespace Integrations.IntegrationTests.Email;

/// <summary>
/// The shared inbox and replies end to end: a mail with attachments sent to the SMTP listener becomes a
/// ticket command and a thread whose messages and attachments the tenant (and nobody else) reads, an
/// attachment served only as a download; a reply from the app arrives at the SMTP server (the catcher)
/// with our Message-ID, In-Reply-To, References, From and Reply-To; and the customer's answer to THAT
/// mail, sent to the listener, becomes comment.add on the same entity.
/// </summary>
public class EmailInboxAndReplyTests(EmailSystem system) : IClassFixture<EmailSystem>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private static async Task<List<JsonElement>> CommandsAsync(HttpClient tenant) =>
        (await (await tenant.GetAsync("/api/v1/product-commands?limit=100")).ShouldBeJsonAsync(HttpStatusCode.OK)).GetProperty("data").EnumerateArray().ToList();

    [Fact]
    public async Task A_mail_becomes_a_thread_the_app_replies_to_and_the_answer_to_the_reply_comments_on_the_same_entity()
    {
        var tenant = await system.CreateTenantWithKeyAsync();
        var stranger = await system.CreateTenantWithKeyAsync();
        var address = (await system.CreateAddressAsync(tenant.Client, "ticket")).GetProperty("address").GetString()!;

        var first = EmailSystem.Mail(address, "Invoice wrong", "The amount on invoice 42 is wrong.");
        var body = new BodyBuilder { TextBody = "The amount on invoice 42 is wrong." };
        body.Attachments.Add("invoice.pdf", "%PDF-1.4 small"u8.ToArray(), ContentType.Parse("application/pdf"));
        body.Attachments.Add("../../big.html", new byte[4096], ContentType.Parse("text/html"));
        first.Body = body.ToMessageBody();
        await system.SendAsync(first);

        List<JsonElement> commands = [];
        await Eventually.HoldsAsync(async () => (commands = await CommandsAsync(tenant.Client)).Count == 1, Patience, "the mail becomes a command");
        var create = commands.Single();
        create.GetProperty("command").GetString().ShouldBe("entity.create");
        create.GetProperty("target").GetProperty("type").GetString().ShouldBe("ticket");
        await tenant.Client.PublishAsync("entity.created", new { entity_id = "TCK-7", entity_type = "ticket", attributes = new { }, command_id = create.GetProperty("id").GetGuid() });

        // The shared inbox.
        var threads = (await (await tenant.Client.GetAsync("/api/v1/email/threads")).ShouldBeJsonAsync(HttpStatusCode.OK)).GetProperty("data").EnumerateArray().ToList();
        var threadId = threads.ShouldHaveSingleItem().GetProperty("id").GetGuid();
        threads[0].GetProperty("subject").GetString().ShouldBe("Invoice wrong");
        threads[0].GetProperty("reply_to").GetString()!.ShouldStartWith(address.Split('@')[0] + "+");
        var thread = await (await tenant.Client.GetAsync($"/api/v1/email/threads/{threadId}")).ShouldBeJsonAsync(HttpStatusCode.OK);
        var message = thread.GetProperty("messages").EnumerateArray().ShouldHaveSingleItem();
        message.GetProperty("direction").GetString().ShouldBe("in");
        message.GetProperty("from").GetProperty("address").GetString().ShouldBe("ada@customer.example");
        message.GetProperty("text").GetString()!.ShouldContain("invoice 42");
        message.GetProperty("command_id").GetGuid().ShouldBe(create.GetProperty("id").GetGuid());
        var attachments = message.GetProperty("attachments").EnumerateArray().ToList();
        attachments.Select(a => a.GetProperty("file_name").GetString()).ShouldBe(["invoice.pdf", "big.html"]);
        attachments.Select(a => a.GetProperty("too_large").GetBoolean()).ShouldBe([false, true]);
        attachments[1].GetProperty("size").GetInt64().ShouldBe(4096);

        var messageId = message.GetProperty("id").GetGuid();
        var download = await tenant.Client.GetAsync($"/api/v1/email/threads/{threadId}/messages/{messageId}/attachments/0");
        download.StatusCode.ShouldBe(HttpStatusCode.OK);
        download.Content.Headers.ContentType!.MediaType.ShouldBe("application/octet-stream");
        download.Content.Headers.ContentDisposition!.DispositionType.ShouldBe("attachment");
        download.Content.Headers.ContentDisposition.FileName!.Trim('"').ShouldBe("invoice.pdf");
        download.Headers.GetValues("X-Content-Type-Options").ShouldBe(["nosniff"]);
        (await download.Content.ReadAsByteArrayAsync()).ShouldBe("%PDF-1.4 small"u8.ToArray());
        await (await tenant.Client.GetAsync($"/api/v1/email/threads/{threadId}/messages/{messageId}/attachments/1"))
            .ShouldBeErrorAsync(HttpStatusCode.NotFound, "email_attachment_not_kept");

        // Nothing of it is another tenant's.
        (await (await stranger.Client.GetAsync("/api/v1/email/threads")).ShouldBeJsonAsync(HttpStatusCode.OK)).GetProperty("data").GetArrayLength().ShouldBe(0);
        await (await stranger.Client.GetAsync($"/api/v1/email/threads/{threadId}")).ShouldBeErrorAsync(HttpStatusCode.NotFound, "email_thread_not_found");
        await (await stranger.Client.GetAsync($"/api/v1/email/threads/{threadId}/messages/{messageId}/attachments/0"))
            .ShouldBeErrorAsync(HttpStatusCode.NotFound, "email_attachment_not_found");
        await (await stranger.Client.PostAsJsonAsync($"/api/v1/email/threads/{threadId}/replies", new { text = "Hi" }))
            .ShouldBeErrorAsync(HttpStatusCode.NotFound, "email_thread_not_found");
        await (await tenant.Client.PostAsJsonAsync($"/api/v1/email/threads/{threadId}/replies", new { text = "" }))
            .ShouldBeErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");

        // The reply, as it arrives at the mail server.
        var sent = await (await tenant.Client.PostAsJsonAsync($"/api/v1/email/threads/{threadId}/replies", new { text = "We are correcting it.", from_name = "Grace at Support" }))
            .ShouldBeJsonAsync(HttpStatusCode.Created);
        var ourId = sent.GetProperty("message_id").GetString()!;
        ourId.ShouldEndWith("@mail.test");
        var caught = (await system.Catcher.MessagesAsync(to: "ada@customer.example", waitFor: 1, timeout: Patience)).ShouldHaveSingleItem();
        caught.MessageId.ShouldBe(ourId);
        caught.Subject.ShouldBe("Re: Invoice wrong");
        caught.From.ShouldHaveSingleItem().ShouldBe(new CaughtMail.Mailbox("Grace at Support", EmailSystem.ReplyFrom));
        caught.HeaderValue("In-Reply-To")!.Trim().ShouldBe($"<{first.MessageId}>");
        caught.HeaderValue("References")!.Trim().ShouldBe($"<{first.MessageId}>");
        caught.HeaderValue("Reply-To")!.ShouldBe(threads[0].GetProperty("reply_to").GetString());
        caught.Text!.Trim().ShouldBe("We are correcting it.");
        // Signed for the sending domain: the signature verifies with the public key, and not once a signed header changed.
        var raw = MimeMessage.Load(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(await system.Catcher.RawAsync(caught.Id))));
        var signature = raw.Headers[raw.Headers.IndexOf(HeaderId.DkimSignature)];
        signature.Value.ShouldContain("d=mail.test");
        signature.Value.ShouldContain("s=s1");
        var verifier = new MimeKit.Cryptography.DkimVerifier(new PublicKeyLocator(system.DkimKey));
        (await verifier.VerifyAsync(raw, signature)).ShouldBeTrue();
        raw.Subject = "Re: something else";
        (await verifier.VerifyAsync(raw, signature)).ShouldBeFalse();

        // The customer answers the reply (to the plain address: it threads by In-Reply-To and References alone).
        await system.SendAsync(EmailSystem.Mail(address, "Re: Re: Invoice wrong", "Thank you!", inReplyTo: ourId, references: [first.MessageId!, ourId]));
        await Eventually.HoldsAsync(async () => (commands = await CommandsAsync(tenant.Client)).Count == 2, Patience, "the answer becomes a comment");
        var comment = commands.Single(c => c.GetProperty("command").GetString() == "comment.add");
        comment.GetProperty("target").GetProperty("id").GetString().ShouldBe("TCK-7");
        comment.GetProperty("data").GetProperty("body").GetString().ShouldBe("Thank you!");
        var messages = (await (await tenant.Client.GetAsync($"/api/v1/email/threads/{threadId}")).ShouldBeJsonAsync(HttpStatusCode.OK)).GetProperty("messages")
            .EnumerateArray().Select(m => m.GetProperty("direction").GetString()).ToList();
        messages.ShouldBe(["in", "out", "in"]);
        (await (await tenant.Client.GetAsync("/api/v1/email/threads")).ShouldBeJsonAsync(HttpStatusCode.OK)).GetProperty("data").GetArrayLength().ShouldBe(1);
    }

    /// <summary>The DNS lookup of s1._domainkey.mail.test, answered with the system's public key.</summary>
    private sealed class PublicKeyLocator(System.Security.Cryptography.RSA key) : MimeKit.Cryptography.DkimPublicKeyLocatorBase
    {
        private Org.BouncyCastle.Crypto.AsymmetricKeyParameter Key() =>
            GetPublicKey($"v=DKIM1; k=rsa; p={Convert.ToBase64String(key.ExportSubjectPublicKeyInfo())}");

        public override Org.BouncyCastle.Crypto.AsymmetricKeyParameter LocatePublicKey(string methods, string domain, string selector, CancellationToken cancellationToken = default) => Key();

        public override Task<Org.BouncyCastle.Crypto.AsymmetricKeyParameter> LocatePublicKeyAsync(string methods, string domain, string selector, CancellationToken cancellationToken = default) =>
            Task.FromResult(Key());
    }
}
