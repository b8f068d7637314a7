using System.Net;
using System.Text.Json;
using Integrations.IntegrationTests.Infrastructure;
using DeliveryApi = Integrations.IntegrationTests.Webhooks.Delivery.DeliveryApi;
using Shouldly;

namespace Integrations.IntegrationTests.Teams;

/// <summary>
/// <c>@bot status &lt;type&gt; &lt;id&gt;</c> in a channel: the verified message activity is answered with
/// a reply (Bot Connector "reply to activity", the bot's token) carrying the record's latest state
/// from the entity read model as an Adaptive Card; anything else gets the usage.
/// </summary>
[Collection(TeamsCollection.Name)]
public sealed class TeamsStatusCommandTests(TeamsSystem system) : IAsyncLifetime
{
    public Task InitializeAsync() => system.ResetTeamsAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Status_replies_in_the_conversation_with_the_records_latest_state()
    {
        var tenant = await system.TenantAsync();
        await system.ConnectBotAsync(tenant.Client);
        await DeliveryApi.PublishAsync(tenant.Client, "entity.created", new { entity_id = "in_t1", entity_type = "invoice", attributes = new { amount_cents = 4200, customer = "Acme *Ltd*" } });
        await Eventually.HoldsAsync(async () => (await tenant.Client.GetAsync("/api/v1/entities/invoice/in_t1")).StatusCode == HttpStatusCode.OK,
            TimeSpan.FromSeconds(30), "the read model has the record");

        var card = await AskAsync("<at>Ops bot</at> status invoice in_t1", "1700000000001");

        card.GetProperty("body")[0].GetProperty("text").GetString().ShouldBe("Invoice in\\_t1");
        var facts = card.GetProperty("body")[1].GetProperty("facts").EnumerateArray().Select(f => $"{f.GetProperty("title").GetString()}={f.GetProperty("value").GetString()}").ToList();
        facts[0].ShouldBe("Status=active");
        facts.ShouldContain("Amount cents=4200");
        facts.ShouldContain("Customer=Acme \\*Ltd\\*");
        (await AskAsync("<at>Ops bot</at> status invoice in_unknown", "1700000000002")).GetProperty("body")[0].GetProperty("text").GetString()
            .ShouldBe("No invoice in\\_unknown is known here.");
        (await AskAsync("<at>Ops bot</at> hello", "1700000000003")).GetProperty("body")[0].GetProperty("text").GetString()!.ShouldStartWith("Usage: status");
    }

    [Fact]
    public async Task The_reply_goes_to_the_service_url_the_message_came_from()
    {
        var tenant = await system.TenantAsync();
        await system.ConnectBotAsync(tenant.Client);
        var emea = new Uri(system.Teams.BaseAddress, "/emea/").ToString();

        await AskAsync("<at>Ops bot</at> hello", "1700000000004", emea);

        var reply = (await system.CardsAtAsync(TeamsSystem.General)).Single(r => r.GetProperty("route").GetString() == "reply");
        reply.GetProperty("region").GetString().ShouldBe("emea", "Microsoft routes the tenant to a regional Bot Connector, named in the activity");
    }

    /// <summary>Sends the message activity with a valid token and returns the card of the reply the fake received to it.</summary>
    private async Task<JsonElement> AskAsync(string text, string activityId, string? serviceUrl = null)
    {
        serviceUrl ??= system.ServiceUrl;
        var activity = new
        {
            type = "message", id = activityId, text, channelId = "msteams", serviceUrl,
            from = new { id = "29:asker", name = "Grace" }, recipient = new { id = "28:" + TeamsSystem.BotAppId },
            conversation = new { id = TeamsSystem.General, conversationType = "channel", tenantId = "tenant-contoso" },
            channelData = new { tenant = new { id = "tenant-contoso" }, channel = new { id = TeamsSystem.General } },
        };
        using var response = await system.SendActivityAsync(await system.ActivityTokenAsync(new { audience = TeamsSystem.BotAppId, service_url = serviceUrl }), activity);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var reply = (await system.CardsAtAsync(TeamsSystem.General)).Where(r => r.GetProperty("route").GetString() == "reply")
            .Select(r => r.GetProperty("body")).Single(b => b.GetProperty("replyToId").GetString() == activityId);
        return reply.GetProperty("attachments")[0].GetProperty("content");
    }
}
