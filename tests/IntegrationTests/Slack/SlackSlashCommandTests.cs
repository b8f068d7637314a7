using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Integrations.IntegrationTests.Api;
using Integrations.IntegrationTests.Infrastructure;
using Npgsql;
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
    public async Task A_slow_answer_is_acknowledged_at_once_and_then_posted_to_the_commands_response_url()
    {
        var tenant = await system.TenantAsync();
        await system.ConnectSlackAsync(tenant.Client, "T0002");
        await DeliveryApi.PublishAsync(tenant.Client, "entity.created", new { entity_id = "in_slow", entity_type = "invoice", attributes = new { amount_cents = 99 } });
        await Eventually.HoldsAsync(async () => (await tenant.Client.GetAsync("/api/v1/entities/invoice/in_slow")).StatusCode == HttpStatusCode.OK,
            TimeSpan.FromSeconds(30), "the read model has the invoice");
        var responseUrl = await MintResponseUrlAsync("T0002");

        // A busy database: every read of the entity read model waits until this transaction ends.
        await using var holder = await HoldReadModelAsync();
        await using var transaction = holder.Transaction;

        var clock = Stopwatch.StartNew();
        var answer = await AskAsync("T0002", "status invoice in_slow", responseUrl);
        clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(3), "Slack's limit");
        answer.GetProperty("text").GetString().ShouldBe("Looking up invoice `in_slow`…");
        (await PostsAsync(responseUrl)).ShouldBeEmpty("nothing can be answered while the read model is held");

        await transaction.RollbackAsync();
        await Eventually.HoldsAsync(async () => (await PostsAsync(responseUrl)).Count > 0, TimeSpan.FromSeconds(30),
            "the answer reaches the response_url once the read model answers");
        var posts = await PostsAsync(responseUrl);
        posts.Count.ShouldBe(1);
        posts[0].GetProperty("text").GetString().ShouldBe("Invoice in_slow");
        posts[0].GetProperty("replace_original").GetBoolean().ShouldBeTrue("it replaces the acknowledgement");
        posts[0].GetProperty("blocks")[1].GetProperty("fields").EnumerateArray().Select(f => f.GetProperty("text").GetString()).ShouldContain("*Amount cents*\n99");
    }

    [Fact]
    public async Task A_slow_answer_is_never_posted_to_a_response_url_outside_slack()
    {
        var tenant = await system.TenantAsync();
        await system.ConnectSlackAsync(tenant.Client, "T0002");
        await using var holder = await HoldReadModelAsync();
        await using var transaction = holder.Transaction;

        var foreign = new Uri(system.Slack.BaseAddress, "/api/chat.postMessage").ToString();
        var answer = await AskAsync("T0002", "status invoice in_x", foreign);
        answer.GetProperty("text").GetString()!.ShouldContain("taking too long");
        await transaction.RollbackAsync();
        await Task.Delay(TimeSpan.FromSeconds(2));
        (await system.SlackControl.GetFromJsonAsync<JsonElement>("/_fake/requests?path_prefix=/api/chat.postMessage")).GetProperty("data").GetArrayLength()
            .ShouldBe(0, "a response_url outside the configured prefix is never posted to");
    }

    [Fact]
    public async Task An_unsigned_or_forged_command_is_refused()
    {
        (await system.PostSignedAsync("/inbound/slack/commands", "team_id=T0001&command=%2Facme&text=status+invoice+x", secret: "wrong"))
            .StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    private sealed record ReadModelHold(NpgsqlConnection Connection, NpgsqlTransaction Transaction) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => Connection.DisposeAsync();
    }

    /// <summary>Takes the entity read model's table in an exclusive lock: every read of it waits until the transaction ends.</summary>
    private async Task<ReadModelHold> HoldReadModelAsync()
    {
        var connection = new NpgsqlConnection(system.ConnectionString);
        await connection.OpenAsync();
        var transaction = await connection.BeginTransactionAsync();
        await using (var lockTable = new NpgsqlCommand("lock table entities in access exclusive mode", connection, transaction))
            await lockTable.ExecuteNonQueryAsync();
        return new ReadModelHold(connection, transaction);
    }

    private async Task<string> MintResponseUrlAsync(string team)
    {
        using var minted = await system.SlackControl.PostAsJsonAsync("/_fake/slack/response-urls", new { team_id = team });
        return (await minted.ShouldBeJsonAsync(HttpStatusCode.OK)).GetProperty("response_url").GetString()!;
    }

    private async Task<List<JsonElement>> PostsAsync(string responseUrl)
    {
        var path = new Uri(responseUrl).AbsolutePath;
        var all = await system.SlackControl.GetFromJsonAsync<JsonElement>("/_fake/slack/response-urls");
        return all.GetProperty("data").EnumerateArray().Single(u => u.GetProperty("path").GetString() == path).GetProperty("posts").EnumerateArray().ToList();
    }

    private async Task<JsonElement> AskAsync(string team, string text, string responseUrl = "https://hooks.slack.com/commands/1")
    {
        var body = $"token=legacy&team_id={team}&team_domain=globex&channel_id=C1&user_id=U0ASKER&user_name=grace&command=%2Facme&text={Uri.EscapeDataString(text)}"
                   + $"&response_url={Uri.EscapeDataString(responseUrl)}&trigger_id=1.2.3&api_app_id=A0FAKEAPP";
        using var response = await system.PostSignedAsync("/inbound/slack/commands", body);
        return await response.ShouldBeJsonAsync(HttpStatusCode.OK);
    }
}
