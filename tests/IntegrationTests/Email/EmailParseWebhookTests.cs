using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Integrations.IntegrationTests.Api;
using Integrations.IntegrationTests.Infrastructure;
using Integrations.IntegrationTests.Webhooks.Delivery;
using Shouldly;

namespace Integrations.IntegrationTests.Email;

/// <summary>
/// Brevo's and Mailjet's parse webhooks through the real API, PostgreSQL, the broker and the Workers: their JSON is
/// rebuilt as MIME and takes the SMTP listener's path (stored, then threaded and turned into product commands by the
/// inbound pipeline); basic auth is the credential; a redelivery issues nothing twice.
/// </summary>
public class EmailParseWebhookTests(EmailSystem system) : IClassFixture<EmailSystem>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private const string BrevoUrl = "/inbound/email/brevo";
    private const string MailjetUrl = "/inbound/email/mailjet";
    private static readonly (string User, string Password) Brevo = (EmailSystem.BrevoUser, EmailSystem.BrevoPassword);
    private static readonly (string User, string Password) Mailjet = (EmailSystem.MailjetUser, EmailSystem.MailjetPassword);

    private async Task<HttpResponseMessage> PostAsync(string url, string json, (string User, string Password)? basicAuth)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        if (basicAuth is var (user, password))
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
        return await system.Client().SendAsync(request);
    }

    private async Task<List<JsonElement>> CommandsAsync(HttpClient tenant) =>
        (await (await tenant.GetAsync("/api/v1/product-commands?limit=100")).ShouldBeJsonAsync(HttpStatusCode.OK)).GetProperty("data").EnumerateArray().ToList();

    private async Task<List<JsonElement>> WaitForCommandsAsync(HttpClient tenant, int count, string because)
    {
        List<JsonElement> commands = [];
        await Eventually.HoldsAsync(async () => (commands = await CommandsAsync(tenant)).Count >= count, Patience, because);
        return commands;
    }

    private static async Task<List<JsonElement>> ThreadsAsync(HttpClient tenant) =>
        (await (await tenant.GetAsync("/api/v1/email/threads")).ShouldBeJsonAsync(HttpStatusCode.OK)).GetProperty("data").EnumerateArray().ToList();

    [Fact]
    public async Task A_Brevo_payload_becomes_entity_create_and_a_thread_its_redelivery_nothing_and_a_reply_payload_a_comment()
    {
        var tenant = await system.CreateTenantWithKeyAsync();
        var address = (await system.CreateAddressAsync(tenant.Client, "ticket")).GetProperty("address").GetString()!;
        var firstId = $"{Guid.NewGuid():N}@customer.example";
        var first = ParseWebhookPayloads.Brevo(address, "Printer on fire", "The printer on floor 3 is on fire.", firstId);

        var accepted = await (await PostAsync(BrevoUrl, first, Brevo)).ShouldBeJsonAsync(HttpStatusCode.OK);
        accepted.GetProperty("stored").GetInt32().ShouldBe(1);
        var create = (await WaitForCommandsAsync(tenant.Client, 1, "the mail's create is issued")).Single();
        create.GetProperty("command").GetString().ShouldBe("entity.create");
        create.GetProperty("target").GetProperty("type").GetString().ShouldBe("ticket");
        var attributes = create.GetProperty("data").GetProperty("attributes");
        attributes.GetProperty("subject").GetString().ShouldBe("Printer on fire");
        attributes.GetProperty("from").GetString().ShouldBe("ada@customer.example");
        attributes.GetProperty("from_name").GetString().ShouldBe("Ada Customer");
        attributes.GetProperty("text").GetString().ShouldBe("The printer on floor 3 is on fire.");
        create.GetProperty("origin").GetProperty("external_reference").GetString().ShouldBe(firstId);

        // Brevo retries a request it saw fail: the same mail again is acknowledged and stores nothing.
        var again = await (await PostAsync(BrevoUrl, first, Brevo)).ShouldBeJsonAsync(HttpStatusCode.OK);
        again.GetProperty("stored").GetInt32().ShouldBe(0);
        again.GetProperty("replayed").GetInt32().ShouldBe(1);
        // The same mail through the SMTP listener too (one path: the same replay key, address + Message-ID).
        await system.SendAsync(EmailSystem.Mail(address, "Printer on fire", "The printer on floor 3 is on fire.", messageId: firstId));

        await tenant.Client.PublishAsync("entity.created", new { entity_id = "TCK-7", entity_type = "ticket", attributes = new { }, command_id = create.GetProperty("id").GetGuid() });
        var reply = ParseWebhookPayloads.Brevo(address, "Re: Printer on fire", "It is out now.", $"{Guid.NewGuid():N}@customer.example", inReplyTo: firstId);
        (await PostAsync(BrevoUrl, reply, Brevo)).StatusCode.ShouldBe(HttpStatusCode.OK);
        var commands = await WaitForCommandsAsync(tenant.Client, 2, "the reply's comment is issued");
        commands.Count(c => c.GetProperty("command").GetString() == "entity.create").ShouldBe(1, "the redelivered mail issued nothing");
        var comment = commands.Single(c => c.GetProperty("command").GetString() == "comment.add");
        comment.GetProperty("target").GetProperty("id").GetString().ShouldBe("TCK-7");
        comment.GetProperty("data").GetProperty("body").GetString().ShouldBe("It is out now.");

        var thread = (await ThreadsAsync(tenant.Client)).ShouldHaveSingleItem();
        thread.GetProperty("message_count").GetInt32().ShouldBe(2, "the reply is in the first mail's thread");
        var messages = (await (await tenant.Client.GetAsync($"/api/v1/email/threads/{thread.GetProperty("id").GetGuid()}")).ShouldBeJsonAsync(HttpStatusCode.OK))
            .GetProperty("messages").EnumerateArray().ToList();
        messages[0].GetProperty("html").GetString().ShouldBe("<p>The printer on floor 3 is on fire.</p>");
    }

    [Fact]
    public async Task A_Mailjet_payload_with_basic_auth_becomes_entity_create_with_its_attachment_and_a_reply_payload_a_comment()
    {
        var tenant = await system.CreateTenantWithKeyAsync();
        var address = (await system.CreateAddressAsync(tenant.Client, "lead")).GetProperty("address").GetString()!;
        var firstId = $"{Guid.NewGuid():N}@customer.example";
        var first = ParseWebhookPayloads.Mailjet(address, "Quote please", "Ten chairs, please.", firstId, attachment: Encoding.UTF8.GetBytes("chair list"));

        (await PostAsync(MailjetUrl, first, Mailjet)).StatusCode.ShouldBe(HttpStatusCode.OK);
        var create = (await WaitForCommandsAsync(tenant.Client, 1, "the mail's create is issued")).Single();
        create.GetProperty("command").GetString().ShouldBe("entity.create");
        create.GetProperty("target").GetProperty("type").GetString().ShouldBe("lead");
        create.GetProperty("data").GetProperty("attributes").GetProperty("text").GetString().ShouldBe("Ten chairs, please.");
        create.GetProperty("data").GetProperty("email").GetProperty("attachments").GetInt32().ShouldBe(1);

        await tenant.Client.PublishAsync("entity.created", new { entity_id = "LEAD-3", entity_type = "lead", attributes = new { }, command_id = create.GetProperty("id").GetGuid() });
        var reply = ParseWebhookPayloads.Mailjet(address, "Re: Quote please", "Make it twelve.", $"{Guid.NewGuid():N}@customer.example", inReplyTo: firstId);
        (await PostAsync(MailjetUrl, reply, Mailjet)).StatusCode.ShouldBe(HttpStatusCode.OK);
        var comment = (await WaitForCommandsAsync(tenant.Client, 2, "the reply's comment is issued")).Single(c => c.GetProperty("command").GetString() == "comment.add");
        comment.GetProperty("target").GetProperty("id").GetString().ShouldBe("LEAD-3");
        comment.GetProperty("data").GetProperty("body").GetString().ShouldBe("Make it twelve.");

        var threadId = (await ThreadsAsync(tenant.Client)).ShouldHaveSingleItem().GetProperty("id").GetGuid();
        var message = (await (await tenant.Client.GetAsync($"/api/v1/email/threads/{threadId}")).ShouldBeJsonAsync(HttpStatusCode.OK)).GetProperty("messages")[0];
        var attachment = message.GetProperty("attachments").EnumerateArray().ShouldHaveSingleItem();
        attachment.GetProperty("file_name").GetString().ShouldBe("notes.txt");
        var download = await tenant.Client.GetAsync(
            $"/api/v1/email/threads/{threadId}/messages/{message.GetProperty("id").GetGuid()}/attachments/{attachment.GetProperty("id").GetInt32()}");
        (await download.Content.ReadAsStringAsync()).ShouldBe("chair list");
    }

    [Fact]
    public async Task Missing_or_wrong_basic_auth_is_refused_malformed_json_is_a_400_and_mail_for_nobody_of_ours_is_acknowledged_and_dropped()
    {
        var tenant = await system.CreateTenantWithKeyAsync();
        var address = (await system.CreateAddressAsync(tenant.Client)).GetProperty("address").GetString()!;
        var refused = ParseWebhookPayloads.Brevo(address, "Refused", "Never stored.", $"{Guid.NewGuid():N}@customer.example");

        // Basic auth is the only credential (a header: request logs write paths): none, a wrong password or the other provider's is refused.
        var noAuth = await PostAsync(BrevoUrl, refused, null);
        noAuth.Headers.WwwAuthenticate.ToString().ShouldStartWith("Basic");
        await noAuth.ShouldBeErrorAsync(HttpStatusCode.Unauthorized, "missing_signature");
        await (await PostAsync(BrevoUrl, refused, (EmailSystem.BrevoUser, EmailSystem.BrevoPassword[..^1] + "0"))).ShouldBeErrorAsync(HttpStatusCode.Unauthorized, "missing_signature");
        var mailjet = ParseWebhookPayloads.Mailjet(address, "Refused", "Never stored.", $"{Guid.NewGuid():N}@customer.example");
        await (await PostAsync(MailjetUrl, mailjet, Brevo)).ShouldBeErrorAsync(HttpStatusCode.Unauthorized, "missing_signature");
        await (await PostAsync(MailjetUrl, mailjet, (EmailSystem.MailjetUser, "guess"))).ShouldBeErrorAsync(HttpStatusCode.Unauthorized, "missing_signature");
        // A provider we do not take, or a path below one: no such URL.
        await (await PostAsync("/inbound/email/sendgrid", refused, Brevo)).ShouldBeErrorAsync(HttpStatusCode.NotFound, "inbound_target_not_found");
        (await PostAsync($"/inbound/email/brevo/{EmailSystem.BrevoPassword}", refused, Brevo)).StatusCode.ShouldBe(HttpStatusCode.NotFound);

        await (await PostAsync(BrevoUrl, "{\"items\": [", Brevo)).ShouldBeErrorAsync(HttpStatusCode.BadRequest, "malformed_body");
        await (await PostAsync(BrevoUrl, "{\"mails\": []}", Brevo)).ShouldBeErrorAsync(HttpStatusCode.BadRequest, "malformed_body");
        await (await PostAsync(MailjetUrl, "[1, 2]", Mailjet)).ShouldBeErrorAsync(HttpStatusCode.BadRequest, "malformed_body");

        // For an address that is none of ours: 200, so Brevo does not retry it forever; nothing stored.
        var stray = await (await PostAsync(BrevoUrl, ParseWebhookPayloads.Brevo($"{new string('a', 32)}@{EmailSystem.Domain}", "Stray", "Nobody.", "stray@customer.example"), Brevo))
            .ShouldBeJsonAsync(HttpStatusCode.OK);
        stray.GetProperty("stored").GetInt32().ShouldBe(0);
        stray.GetProperty("ignored").GetInt32().ShouldBe(1);

        // A mail that is taken goes through; had any refused one been stored, it would be processed as well by now.
        var taken = ParseWebhookPayloads.Brevo(address, "Taken", "Stored.", $"{Guid.NewGuid():N}@customer.example");
        (await PostAsync(BrevoUrl, taken, Brevo)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await WaitForCommandsAsync(tenant.Client, 1, "the accepted mail's create is issued")).ShouldHaveSingleItem()
            .GetProperty("data").GetProperty("attributes").GetProperty("subject").GetString().ShouldBe("Taken");
        (await ThreadsAsync(tenant.Client)).Select(t => t.GetProperty("subject").GetString()).ShouldBe(["Taken"]);
    }
}
