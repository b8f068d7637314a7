using System.Net.Http.Json;
using System.Text.Json;
using Integrations.IntegrationTests.Infrastructure;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;
using Shouldly;

namespace Integrations.IntegrationTests.Fakes;

public sealed class SmtpCatcherFixture : IAsyncLifetime
{
    public SmtpCatcherFake Catcher { get; private set; } = null!;

    public async Task InitializeAsync() => Catcher = await SmtpCatcherFake.StartAsync();

    public async Task DisposeAsync() => await Catcher.DisposeAsync();
}

/// <summary>The SMTP catcher receives mail sent by a real SMTP client (MailKit) and shows it over HTTP.</summary>
public sealed class SmtpCatcherTests(SmtpCatcherFixture fixture) : IClassFixture<SmtpCatcherFixture>, IAsyncLifetime
{
    private SmtpCatcherFake Catcher => fixture.Catcher;

    public Task InitializeAsync() => Catcher.Control.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    private async Task SendAsync(MimeMessage message)
    {
        using var client = new SmtpClient();
        await client.ConnectAsync(Catcher.SmtpHost, Catcher.SmtpPort, SecureSocketOptions.None);
        await client.SendAsync(message);
        await client.DisconnectAsync(quit: true);
    }

    private static MimeMessage Notification(string to, string subject)
    {
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress("Integrations", "noreply@integrations.test"));
        message.To.Add(new MailboxAddress("Admin", to));
        message.Subject = subject;
        message.Body = new TextPart("plain") { Text = "Plain body" };
        return message;
    }

    [Fact]
    public async Task A_mail_sent_with_MailKit_arrives_with_envelope_headers_text_html_and_attachments()
    {
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress("Integrations", "noreply@integrations.test"));
        message.To.Add(new MailboxAddress("Ada Admin", "ada@acme.test"));
        message.Cc.Add(new MailboxAddress(null, "ops@acme.test"));
        message.Bcc.Add(new MailboxAddress(null, "audit@acme.test"));
        message.Subject = "Connection needs re-authorisation — Slack";
        message.Headers.Add("X-Integrations-Incident", "inc_123");
        var body = new BodyBuilder { TextBody = "Reconnect Slack: https://console.test/c/1", HtmlBody = "<p>Reconnect <a href=\"https://console.test/c/1\">Slack</a></p>" };
        body.Attachments.Add("report.csv", "a,b\n1,2\n"u8.ToArray(), new ContentType("text", "csv"));
        message.Body = body.ToMessageBody();

        await SendAsync(message);

        var caught = (await Catcher.MessagesAsync(waitFor: 1)).ShouldHaveSingleItem();
        caught.EnvelopeFrom.ShouldBe("noreply@integrations.test");
        caught.EnvelopeTo.ShouldBe(["ada@acme.test", "ops@acme.test", "audit@acme.test"], ignoreOrder: true);
        caught.From.ShouldHaveSingleItem().ShouldBe(new CaughtMail.Mailbox("Integrations", "noreply@integrations.test"));
        caught.To.ShouldHaveSingleItem().ShouldBe(new CaughtMail.Mailbox("Ada Admin", "ada@acme.test"));
        caught.Cc.ShouldHaveSingleItem().Address.ShouldBe("ops@acme.test");
        caught.Subject.ShouldBe("Connection needs re-authorisation — Slack");
        caught.Text!.Trim().ShouldBe("Reconnect Slack: https://console.test/c/1");
        caught.Html!.ShouldContain("<a href=\"https://console.test/c/1\">Slack</a>");
        caught.HeaderValue("X-Integrations-Incident").ShouldBe("inc_123");
        caught.HeaderValue("Bcc").ShouldBeNull("Bcc is not in the message, only in the envelope");
        caught.MessageId.ShouldBe(message.MessageId);
        caught.Attachments.ShouldHaveSingleItem().ShouldBe(new CaughtMail.Attachment("report.csv", "text/csv"));
        (await Catcher.RawAsync(caught.Id)).ShouldContain("X-Integrations-Incident: inc_123");
    }

    [Fact]
    public async Task Messages_filter_by_recipient_and_subject_and_wait_for_a_count()
    {
        var waiting = Catcher.MessagesAsync(to: "bob@acme.test", waitFor: 2, timeout: TimeSpan.FromSeconds(20));
        await SendAsync(Notification("alice@acme.test", "Webhook endpoint disabled"));
        await SendAsync(Notification("bob@acme.test", "Webhook endpoint disabled"));
        await Task.Delay(200);
        waiting.IsCompleted.ShouldBeFalse("one of two awaited messages has arrived");
        await SendAsync(Notification("BOB@acme.test", "Resolved: webhook endpoint enabled"));

        var forBob = await waiting.WaitAsync(TimeSpan.FromSeconds(20));
        forBob.Select(m => m.Subject).ShouldBe(["Webhook endpoint disabled", "Resolved: webhook endpoint enabled"]);
        (await Catcher.MessagesAsync(subject: "resolved")).ShouldHaveSingleItem().To.Single().Address.ShouldBe("BOB@acme.test");
        (await Catcher.MessagesAsync()).Count.ShouldBe(3);

        var timedOut = await Catcher.MessagesAsync(to: "carol@acme.test", waitFor: 1, timeout: TimeSpan.FromMilliseconds(300));
        timedOut.ShouldBeEmpty();

        await Catcher.ClearAsync();
        (await Catcher.MessagesAsync()).ShouldBeEmpty();
    }

    [Fact]
    public async Task An_injected_SMTP_error_refuses_the_next_message_which_a_client_then_retries()
    {
        await Catcher.FailNextAsync(451, message: "Try again later");
        var refused = await Should.ThrowAsync<SmtpCommandException>(() => SendAsync(Notification("ada@acme.test", "First try")));
        ((int)refused.StatusCode).ShouldBe(451);
        (await Catcher.MessagesAsync()).ShouldBeEmpty();

        await SendAsync(Notification("ada@acme.test", "Second try"));
        (await Catcher.MessagesAsync(waitFor: 1)).ShouldHaveSingleItem().Subject.ShouldBe("Second try");
    }

    [Fact]
    public async Task An_unknown_message_is_404_and_a_bad_wait_is_400()
    {
        using var http = Catcher.Process.CreateClient();
        (await http.GetAsync("/messages/msg_999")).StatusCode.ShouldBe(System.Net.HttpStatusCode.NotFound);
        (await http.GetAsync("/messages?wait_for=-1")).StatusCode.ShouldBe(System.Net.HttpStatusCode.BadRequest);
        var ready = Catcher.Process.Ready;
        ready.GetProperty("name").GetString().ShouldBe("smtp-catcher");
        (await http.GetFromJsonAsync<JsonElement>("/messages")).GetProperty("data").GetArrayLength().ShouldBe(0);
    }
}
