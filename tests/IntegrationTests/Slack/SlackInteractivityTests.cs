using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Integrations.IntegrationTests.Api;
using Integrations.IntegrationTests.Connectors;
using Integrations.IntegrationTests.Infrastructure;
using Shouldly;
using DeliveryApi = Integrations.IntegrationTests.Webhooks.Delivery.DeliveryApi;

namespace Integrations.IntegrationTests.Slack;

/// <summary>
/// Button clicks on Slack's interactivity URL through real processes: the buttons of a posted
/// message (as the Slack fake received it) clicked with Slack's signed form post, answered at once,
/// and the product command on the integrations.product-commands.v1 topic; retries, forged and stale
/// requests issue nothing.
/// </summary>
[Collection(SlackCollection.Name)]
public sealed class SlackInteractivityTests(SlackSystem system) : IAsyncLifetime
{
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(30);

    public Task InitializeAsync() => system.ResetSlackAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_click_on_acknowledge_becomes_one_product_command_on_kafka_however_often_slack_sends_it()
    {
        var tenant = await system.TenantAsync();
        var (connection, _) = await system.ConnectSlackAsync(tenant.Client);
        var connectionId = connection.GetProperty("id").GetGuid();
        await SlackSystem.SlackRouteAsync(tenant.Client, connectionId, new
        {
            channel = SlackSystem.AcmeGeneral, buttons = new[] { "acknowledge", "assign_to_me" }, entity = new { type = "invoice", id = "{{ data.invoice_id }}" },
        });
        await DeliveryApi.PublishAsync(tenant.Client, data: ConnectorsSystem.Invoice("in_click", 5));
        await ConnectorsSystem.WaitForCallsAsync(tenant.Client, connectionId, c => c.Count == 1 && c[0].GetProperty("status").GetString() == "succeeded", Soon, "posted");
        var message = (await system.MessagesAsync(SlackSystem.AcmeGeneral)).ShouldHaveSingleItem();
        var buttons = message.GetProperty("blocks").EnumerateArray().Single(b => b.GetProperty("type").GetString() == "actions").GetProperty("elements").EnumerateArray().ToList();
        buttons.Select(b => b.GetProperty("text").GetProperty("text").GetString()).ShouldBe(["Acknowledge", "Assign to me"]);
        var acknowledge = buttons[0];

        var payload = Click(SlackSystem.Acme, acknowledge, message.GetProperty("ts").GetString()!);
        var clock = Stopwatch.StartNew();
        using var first = await system.PostSignedAsync("/inbound/slack/interactivity", payload);
        clock.Stop();
        first.StatusCode.ShouldBe(HttpStatusCode.OK, await first.Content.ReadAsStringAsync());
        clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(3), "Slack wants its answer within 3 s");
        (await system.PostSignedAsync("/inbound/slack/interactivity", payload)).StatusCode.ShouldBe(HttpStatusCode.OK, "Slack's retry of the same click");

        var commands = (await (await tenant.Client.GetAsync("/api/v1/product-commands?entity_type=invoice&entity_id=in_click")).ShouldBeJsonAsync(HttpStatusCode.OK))
            .GetProperty("data").EnumerateArray().ToList();
        var command = commands.ShouldHaveSingleItem("the retry issued nothing");
        command.GetProperty("command").GetString().ShouldBe("invoice.acknowledge");
        command.GetProperty("origin").GetProperty("connection_id").GetGuid().ShouldBe(connectionId);
        command.GetProperty("origin").GetProperty("provider").GetString().ShouldBe("slack");
        command.GetProperty("data").GetProperty("slack").GetProperty("user_id").GetString().ShouldBe("U0CLICKER");
        var id = command.GetProperty("id").GetString()!;
        var onKafka = system.ReadTopic("integrations.product-commands.v1", read => read.Any(m => Header(m, "command-id") == id), Soon);
        var published = onKafka.Single(m => Header(m, "command-id") == id);
        Header(published, "command").ShouldBe("invoice.acknowledge");
        Header(published, "entity-id").ShouldBe("in_click");
        Header(published, "tenant-id").ShouldBe(tenant.TenantId.ToString());
    }

    [Fact]
    public async Task Forged_stale_and_unsigned_clicks_are_refused_and_issue_nothing()
    {
        var tenant = await system.TenantAsync();
        await system.ConnectSlackAsync(tenant.Client);
        var button = JsonDocument.Parse("""{"action_id":"integrations.acknowledge","value":"{\"type\":\"invoice\",\"id\":\"in_forged\"}"}""").RootElement;
        var payload = Click(SlackSystem.Acme, button, "1.1");

        (await system.PostSignedAsync("/inbound/slack/interactivity", payload, secret: "not-the-signing-secret")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        var stale = await system.PostSignedAsync("/inbound/slack/interactivity", payload, timestamp: DateTimeOffset.UtcNow.AddMinutes(-6));
        stale.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await stale.Content.ReadAsStringAsync()).ShouldContain("stale_timestamp");
        using var unsigned = new HttpClient { BaseAddress = system.BaseAddress };
        (await unsigned.PostAsync("/inbound/slack/interactivity", new StringContent(payload, Encoding.UTF8, "application/x-www-form-urlencoded")))
            .StatusCode.ShouldBe(HttpStatusCode.Unauthorized);

        (await (await tenant.Client.GetAsync("/api/v1/product-commands?entity_type=invoice&entity_id=in_forged")).ShouldBeJsonAsync(HttpStatusCode.OK))
            .GetProperty("data").GetArrayLength().ShouldBe(0);
    }

    /// <summary>Slack's block_actions payload for a click on <paramref name="button"/>, as the form body it posts.</summary>
    private static string Click(string team, JsonElement button, string messageTs)
    {
        var payload = JsonSerializer.Serialize(new
        {
            type = "block_actions",
            team = new { id = team, domain = "acme" },
            user = new { id = "U0CLICKER", username = "grace", team_id = team },
            api_app_id = "A0FAKEAPP",
            trigger_id = "13345224609.738474920.8088930838d88f008e0",
            container = new { type = "message", message_ts = messageTs, channel_id = SlackSystem.AcmeGeneral },
            channel = new { id = SlackSystem.AcmeGeneral, name = "general" },
            response_url = "https://hooks.slack.com/actions/T0001/1/abc",
            actions = new[]
            {
                new
                {
                    type = "button", block_id = "b1", action_id = button.GetProperty("action_id").GetString(), value = button.GetProperty("value").GetString(),
                    action_ts = "1733560000.123456",
                },
            },
        });
        return "payload=" + Uri.EscapeDataString(payload);
    }

    private static string? Header(Confluent.Kafka.ConsumeResult<string, string> message, string name) =>
        message.Message.Headers.TryGetLastBytes(name, out var bytes) ? Encoding.UTF8.GetString(bytes) : null;
}
