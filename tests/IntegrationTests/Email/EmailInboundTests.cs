using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Integrations.IntegrationTests.Api;
using Integrations.IntegrationTests.Infrastructure;
using Integrations.IntegrationTests.Webhooks.Delivery;
using MailKit.Net.Smtp;
using MimeKit;
using Shouldly;

namespace Integrations.IntegrationTests.Email;

/// <summary>
/// The e-mail connector through the real SMTP listener, PostgreSQL, the broker and the Workers: a
/// mail to a tenant's address becomes entity.create on integrations.product-commands.v1, a reply in
/// the thread (by In-Reply-To, or by the plus address) comment.add on the entity the product answered
/// with, a mail delivered twice issues nothing twice; unknown, revoked and oversized mail is refused
/// in the SMTP dialogue; and one tenant's addresses are nobody else's.
/// </summary>
public class EmailInboundTests(EmailSystem system) : IClassFixture<EmailSystem>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private async Task<List<JsonElement>> CommandsAsync(HttpClient tenant) =>
        (await (await tenant.GetAsync("/api/v1/product-commands?limit=100")).ShouldBeJsonAsync(HttpStatusCode.OK)).GetProperty("data").EnumerateArray().ToList();

    private async Task<List<JsonElement>> WaitForCommandsAsync(HttpClient tenant, int count, string because)
    {
        List<JsonElement> commands = [];
        await Eventually.HoldsAsync(async () => (commands = await CommandsAsync(tenant)).Count >= count, Patience, because);
        return commands;
    }

    [Fact]
    public async Task Addresses_are_created_listed_revoked_and_only_their_tenants()
    {
        var tenant = await system.CreateTenantWithKeyAsync();
        var stranger = await system.CreateTenantWithKeyAsync();
        var created = await system.CreateAddressAsync(tenant.Client, "lead", repliesAsComments: false);
        var id = created.GetProperty("id").GetGuid();
        var address = created.GetProperty("address").GetString()!;
        address.ShouldMatch($"^[0-9a-f]{{32}}@{EmailSystem.Domain.Replace(".", "\\.", StringComparison.Ordinal)}$");
        created.GetProperty("entity_type").GetString().ShouldBe("lead");
        created.GetProperty("replies_as_comments").GetBoolean().ShouldBeFalse();
        created.GetProperty("status").GetString().ShouldBe("active");
        (await system.CreateAddressAsync(tenant.Client)).GetProperty("address").GetString().ShouldNotBe(address, "every address has a token of its own");

        var list = await (await tenant.Client.GetAsync("/api/v1/email/addresses")).ShouldBeJsonAsync(HttpStatusCode.OK);
        list.GetProperty("data").GetArrayLength().ShouldBe(2);
        (await (await stranger.Client.GetAsync("/api/v1/email/addresses")).ShouldBeJsonAsync(HttpStatusCode.OK)).GetProperty("data").GetArrayLength().ShouldBe(0);
        await (await stranger.Client.GetAsync($"/api/v1/email/addresses/{id}")).ShouldBeErrorAsync(HttpStatusCode.NotFound, "email_address_not_found");
        await (await stranger.Client.DeleteAsync($"/api/v1/email/addresses/{id}")).ShouldBeErrorAsync(HttpStatusCode.NotFound, "email_address_not_found");

        var invalid = await (await tenant.Client.PostAsJsonAsync("/api/v1/email/addresses", new { entity_type = "Support Ticket" }))
            .ShouldBeErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
        invalid.Fields().ShouldBe(["entity_type"]);
        await (await tenant.Client.PostAsJsonAsync("/api/v1/email/addresses", new { })).ShouldBeErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");

        (await tenant.Client.DeleteAsync($"/api/v1/email/addresses/{id}")).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        (await tenant.Client.DeleteAsync($"/api/v1/email/addresses/{id}")).StatusCode.ShouldBe(HttpStatusCode.NoContent, "revoking again changes nothing");
        var revoked = await (await tenant.Client.GetAsync($"/api/v1/email/addresses/{id}")).ShouldBeJsonAsync(HttpStatusCode.OK);
        revoked.GetProperty("status").GetString().ShouldBe("revoked");
        revoked.GetProperty("revoked_at").ValueKind.ShouldBe(JsonValueKind.String);
    }

    [Fact]
    public async Task A_new_mail_becomes_entity_create_and_replies_by_headers_or_plus_address_become_comments_on_the_products_entity()
    {
        var tenant = await system.CreateTenantWithKeyAsync();
        var address = (await system.CreateAddressAsync(tenant.Client, "ticket")).GetProperty("address").GetString()!;
        var first = EmailSystem.Mail(address, "Printer on fire", "The printer on floor 3 is on fire.");
        await system.SendAsync(first);

        // On the topic, as the product reads it.
        var onTopic = system.ReadTopic("integrations.product-commands.v1",
            read => read.Any(m => m.Message.Value.Contains(tenant.TenantId.ToString(), StringComparison.Ordinal)), Patience);
        var create = JsonDocument.Parse(onTopic.Single(m => m.Message.Value.Contains(tenant.TenantId.ToString(), StringComparison.Ordinal)).Message.Value).RootElement;
        create.GetProperty("command").GetString().ShouldBe("entity.create");
        create.GetProperty("target").GetProperty("type").GetString().ShouldBe("ticket");
        var attributes = create.GetProperty("data").GetProperty("attributes");
        attributes.GetProperty("subject").GetString().ShouldBe("Printer on fire");
        attributes.GetProperty("from").GetString().ShouldBe("ada@customer.example");
        attributes.GetProperty("from_name").GetString().ShouldBe("Ada Customer");
        attributes.GetProperty("text").GetString().ShouldBe("The printer on floor 3 is on fire.");
        create.GetProperty("origin").GetProperty("provider").GetString().ShouldBe("email");
        create.GetProperty("origin").GetProperty("external_reference").GetString().ShouldBe(first.MessageId);
        var plusAddress = create.GetProperty("data").GetProperty("email").GetProperty("reply_to").GetString()!;
        plusAddress.ShouldStartWith(address.Split('@')[0] + "+");
        var createId = create.GetProperty("id").GetGuid();

        // The same mail again (a forward repeated, a server retrying after a lost 250): nothing twice.
        await system.SendAsync(first);
        // The product answers with its normal event, naming the command.
        await tenant.Client.PublishAsync("entity.created", new { entity_id = "TCK-1", entity_type = "ticket", attributes = new { }, command_id = createId });

        var reply = EmailSystem.Mail(address, "Re: Printer on fire", "It is out now.", inReplyTo: first.MessageId, references: [first.MessageId!]);
        await system.SendAsync(reply);
        var commands = await WaitForCommandsAsync(tenant.Client, 2, "the reply's comment is issued");
        var comment = commands.Single(c => c.GetProperty("command").GetString() == "comment.add");
        comment.GetProperty("target").GetProperty("type").GetString().ShouldBe("ticket");
        comment.GetProperty("target").GetProperty("id").GetString().ShouldBe("TCK-1");
        comment.GetProperty("data").GetProperty("body").GetString().ShouldBe("It is out now.");

        // A reply whose client dropped the threading headers still threads by the plus address (our replies' Reply-To).
        await system.SendAsync(EmailSystem.Mail(plusAddress, "Printer", "Smoke again."));
        commands = await WaitForCommandsAsync(tenant.Client, 3, "the plus-addressed reply's comment is issued");
        commands.Count(c => c.GetProperty("command").GetString() == "entity.create").ShouldBe(1, "the repeated first mail issued nothing");
        commands.Where(c => c.GetProperty("command").GetString() == "comment.add").Select(c => c.GetProperty("target").GetProperty("id").GetString())
            .ShouldBe(["TCK-1", "TCK-1"]);

        // Another new mail is another thread.
        await system.SendAsync(EmailSystem.Mail(address, "Coffee machine", "Empty."));
        commands = await WaitForCommandsAsync(tenant.Client, 4, "the second thread's create is issued");
        commands.Count(c => c.GetProperty("command").GetString() == "entity.create").ShouldBe(2);
    }

    [Fact]
    public async Task Mail_for_unknown_or_revoked_addresses_and_mail_over_the_size_limit_is_refused_in_the_smtp_dialogue()
    {
        var tenant = await system.CreateTenantWithKeyAsync();
        var created = await system.CreateAddressAsync(tenant.Client);
        var address = created.GetProperty("address").GetString()!;

        var unknown = await Should.ThrowAsync<SmtpCommandException>(() =>
            system.SendAsync(EmailSystem.Mail($"{new string('a', 32)}@{EmailSystem.Domain}", "Hello", "Anyone?")));
        ((int)unknown.StatusCode).ShouldBe(550);
        var foreign = await Should.ThrowAsync<SmtpCommandException>(() => system.SendAsync(EmailSystem.Mail("someone@elsewhere.example", "Relay", "Please.")));
        ((int)foreign.StatusCode).ShouldBe(550, "the listener is no open relay");

        var big = EmailSystem.Mail(address, "Big", new string('x', EmailSystem.MaxMessageBytes + 1024));
        var tooLarge = await Should.ThrowAsync<SmtpCommandException>(() => system.SendAsync(big));
        ((int)tooLarge.StatusCode).ShouldBe(552);

        (await tenant.Client.DeleteAsync($"/api/v1/email/addresses/{created.GetProperty("id").GetGuid()}")).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        var revoked = await Should.ThrowAsync<SmtpCommandException>(() => system.SendAsync(EmailSystem.Mail(address, "Hello", "Still there?")));
        ((int)revoked.StatusCode).ShouldBe(550);

        (await CommandsAsync(tenant.Client)).ShouldBeEmpty("nothing refused became a command");
    }

    [Fact]
    public async Task A_reply_the_mail_server_does_not_take_is_a_502_and_leaves_nothing_in_the_thread()
    {
        var tenant = await system.CreateTenantWithKeyAsync();
        var address = (await system.CreateAddressAsync(tenant.Client)).GetProperty("address").GetString()!;
        await system.SendAsync(EmailSystem.Mail(address, "Login broken", "I cannot sign in."));
        List<JsonElement> threads = [];
        await Eventually.HoldsAsync(async () => (threads = (await (await tenant.Client.GetAsync("/api/v1/email/threads")).ShouldBeJsonAsync(HttpStatusCode.OK))
            .GetProperty("data").EnumerateArray().ToList()).Count == 1, Patience, "the mail becomes a thread");
        var threadId = threads[0].GetProperty("id").GetGuid();

        // The mail server is down (this class's catcher is used by nothing else).
        await system.Catcher.DisposeAsync();
        var failed = await (await tenant.Client.PostAsJsonAsync($"/api/v1/email/threads/{threadId}/replies", new { text = "Try again now." }))
            .ShouldBeErrorAsync(HttpStatusCode.BadGateway, "mail_server_error");
        failed.GetProperty("message").GetString()!.ShouldContain("could not be reached");
        var thread = await (await tenant.Client.GetAsync($"/api/v1/email/threads/{threadId}")).ShouldBeJsonAsync(HttpStatusCode.OK);
        thread.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("direction").GetString()).ShouldBe(["in"], "the refused reply is not recorded");
    }
}
