using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Integrations.IntegrationTests.Api;
using Integrations.IntegrationTests.Infrastructure;
using Shouldly;
using DeliveryApi = Integrations.IntegrationTests.Webhooks.Delivery.DeliveryApi;

namespace Integrations.IntegrationTests.Slack;

/// <summary>
/// <c>/acme status invoice in_…</c> on the slash command URL through real processes: answered within
/// 3 s from the entity read model of the tenant connected to the workspace, and only from it; signed
/// like Slack's requests.
/// </summary>
[Collection(SlackCollection.Name)]
public sealed class SlackSlashCommandTests(SlackSystem system) : IAsyncLifetime
{
    public Task InitializeAsync() => system.ResetSlackAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Status_answers_the_records_latest_state_to_the_connected_tenant_only()
    {
        var tenant = await system.TenantAsync();
        var stranger = await system.TenantAsync();
        await system.ConnectSlackAsync(tenant.Client, "T0002");
        await DeliveryApi.PublishAsync(tenant.Client, "entity.created", new { entity_id = "in_s1", entity_type = "invoice", attributes = new { amount_cents = 4200, customer = "Acme <b>" } });
        await DeliveryApi.PublishAsync(stranger.Client, "entity.created", new { entity_id = "in_s2", entity_type = "invoice", attributes = new { amount_cents = 1 } });
        await Eventually.HoldsAsync(async () => (await tenant.Client.GetAsync("/api/v1/entities/invoice/in_s1")).StatusCode == HttpStatusCode.OK
            && (await stranger.Client.GetAsync("/api/v1/entities/invoice/in_s2")).StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(30), "the read model has both");

        var clock = Stopwatch.StartNew();
        var answer = await AskAsync("T0002", "status invoice in_s1");
        clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(3));

        answer.GetProperty("response_type").GetString().ShouldBe("ephemeral");
        answer.GetProperty("text").GetString().ShouldBe("Invoice in_s1");
        var fields = answer.GetProperty("blocks")[1].GetProperty("fields").EnumerateArray().Select(f => f.GetProperty("text").GetString()).ToList();
        fields[0].ShouldBe("*Status*\nactive");
        fields.ShouldContain("*Amount cents*\n4200");
        fields.ShouldContain("*Customer*\nAcme &lt;b&gt;");

        (await AskAsync("T0002", "status invoice:in_s2")).GetProperty("text").GetString().ShouldBe("No invoice `in_s2` is known here.", "another tenant's record");
        (await AskAsync("T0002", "help")).GetProperty("text").GetString()!.ShouldStartWith("Usage: `/acme status <type> <id>`");
    }

    [Fact]
    public async Task An_unsigned_or_forged_command_is_refused()
    {
        (await system.PostSignedAsync("/inbound/slack/commands", "team_id=T0001&command=%2Facme&text=status+invoice+x", secret: "wrong"))
            .StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    private async Task<JsonElement> AskAsync(string team, string text)
    {
        var body = $"token=legacy&team_id={team}&team_domain=globex&channel_id=C1&user_id=U0ASKER&user_name=grace&command=%2Facme&text={Uri.EscapeDataString(text)}"
                   + "&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2F1&trigger_id=1.2.3&api_app_id=A0FAKEAPP";
        using var response = await system.PostSignedAsync("/inbound/slack/commands", body);
        return await response.ShouldBeJsonAsync(HttpStatusCode.OK);
    }
}
