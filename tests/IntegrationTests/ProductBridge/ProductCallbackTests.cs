using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Integrations.IntegrationTests.Api;
using Integrations.IntegrationTests.Webhooks.Delivery;
using Shouldly;

namespace Integrations.IntegrationTests.ProductBridge;

/// <summary>The tenant's callback: configured through the API, receiving every command signed as webhooks are, retried, and its outcome logged.</summary>
[Collection(ProductBridgeCollection.Name)]
public class ProductCallbackTests(ProductBridgeFixture fixture)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly DeliverySystem _system = fixture.System;
    private readonly WebhookSink _sink = fixture.Sink;

    [Fact]
    public async Task Each_command_is_posted_to_the_callback_as_published_signed_as_docs_webhooks_md_says_and_logged_delivered()
    {
        var tenant = await _system.CreateTenantWithKeyAsync();
        var (path, secret) = await tenant.Client.ConfigureCallbackAsync(_sink);
        secret.ShouldStartWith("whsec_");

        var sent = await tenant.Client.SendCommandAsync(ProductBridgeApi.Update("T-1"));

        var request = (await _sink.WaitForAsync(path, 1, Patience)).Single();
        request.WebhookId.ShouldBe(sent.Id().ToString(), "webhook-id is the command id: the receiver deduplicates by it");
        request.Headers["content-type"].ShouldBe("application/json");
        VerifiesWithTheDocumentedAlgorithm(request, secret).ShouldBeTrue("v1, base64(HMAC-SHA256(key, id.timestamp.body))");
        (await StandardWebhooksVerifier.VerifyAsync(request, secret)).ShouldBe("verified", "an implementation of the specification that is not ours");
        var onTopic = _system.ReadCommands(r => r.Any(m => m.CommandId() == sent.Id()), Patience).Single(m => m.CommandId() == sent.Id());
        Encoding.UTF8.GetString(request.Body).ShouldBe(onTopic.Message.Value, "the callback gets exactly what the topic carries");

        var logged = await tenant.Client.WaitForCommandAsync(sent.Id(), c => c.Status() != "published", Patience, "the outcome is recorded");
        logged.Status().ShouldBe("delivered");
        var callback = logged.GetProperty("callback");
        callback.GetProperty("attempts").GetInt32().ShouldBe(1);
        callback.GetProperty("status_code").GetInt32().ShouldBe(200);
        callback.GetProperty("error_kind").ValueKind.ShouldBe(JsonValueKind.Null);
    }

    [Fact]
    public async Task A_failed_attempt_is_retried_with_backoff_under_the_same_webhook_id_and_a_fresh_signature()
    {
        var tenant = await _system.CreateTenantWithKeyAsync();
        var (path, secret) = await tenant.Client.ConfigureCallbackAsync(_sink);
        _sink.RespondInTurn(path, 503, 200);

        var sent = await tenant.Client.SendCommandAsync(ProductBridgeApi.Update("T-2"));

        var logged = await tenant.Client.WaitForCommandAsync(sent.Id(), c => c.Status() != "published", Patience, "the outcome is recorded");
        logged.Status().ShouldBe("delivered");
        logged.GetProperty("callback").GetProperty("attempts").GetInt32().ShouldBe(2);
        var requests = _sink.Received(path);
        requests.Count.ShouldBe(2);
        requests.ShouldAllBe(r => r.WebhookId == sent.Id().ToString());
        requests.ShouldAllBe(r => VerifiesWithTheDocumentedAlgorithm(r, secret));
        (requests[1].ReceivedAt - requests[0].ReceivedAt).ShouldBeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(170), "the first backoff (0.2 s) less at most 10 % jitter, less the clocks' millisecond granularity");
    }

    [Fact]
    public async Task Retry_After_is_honoured()
    {
        var tenant = await _system.CreateTenantWithKeyAsync();
        var (path, _) = await tenant.Client.ConfigureCallbackAsync(_sink);
        var answered = 0;
        _sink.Respond(path, (_, _) => Task.FromResult(Interlocked.Increment(ref answered) == 1
            ? new SinkResponse(429, "slow down", new Dictionary<string, string> { ["Retry-After"] = "1" })
            : new SinkResponse(200)));

        var sent = await tenant.Client.SendCommandAsync(ProductBridgeApi.Update("T-3"));

        (await tenant.Client.WaitForCommandAsync(sent.Id(), c => c.Status() != "published", Patience, "the outcome is recorded")).Status().ShouldBe("delivered");
        var requests = _sink.Received(path);
        (requests[1].ReceivedAt - requests[0].ReceivedAt).ShouldBeGreaterThan(TimeSpan.FromSeconds(0.9), "Retry-After: 1 rather than the 0.2 s backoff");
    }

    [Fact]
    public async Task A_refusal_is_final_and_logged_as_callback_failed_with_the_answer()
    {
        var tenant = await _system.CreateTenantWithKeyAsync();
        var (path, _) = await tenant.Client.ConfigureCallbackAsync(_sink);
        _sink.Respond(path, 422, """{"error": "no such task"}""");

        var sent = await tenant.Client.SendCommandAsync(ProductBridgeApi.Update("T-404"));

        var logged = await tenant.Client.WaitForCommandAsync(sent.Id(), c => c.Status() != "published", Patience, "the outcome is recorded");
        logged.Status().ShouldBe("callback_failed");
        logged.GetProperty("callback").GetProperty("attempts").GetInt32().ShouldBe(1, "a 4xx is the receiver's verdict: not retried");
        logged.GetProperty("callback").GetProperty("status_code").GetInt32().ShouldBe(422);
        _sink.Received(path).Count.ShouldBe(1);
    }

    [Fact]
    public async Task A_dead_callback_costs_one_commands_retries_then_the_breaker_fails_the_next_at_once_until_it_half_opens()
    {
        var tenant = await _system.CreateTenantWithKeyAsync();
        var (path, _) = await tenant.Client.ConfigureCallbackAsync(_sink);
        _sink.Respond(path, 503);

        var first = await tenant.Client.SendCommandAsync(ProductBridgeApi.Update("T-5"));
        var failed = await tenant.Client.WaitForCommandAsync(first.Id(), c => c.Status() != "published", Patience, "the outcome is recorded");
        var second = await tenant.Client.SendCommandAsync(ProductBridgeApi.Update("T-6"));
        var shortCut = await tenant.Client.WaitForCommandAsync(second.Id(), c => c.Status() != "published", Patience, "the outcome is recorded");

        failed.Status().ShouldBe("callback_failed");
        failed.GetProperty("callback").GetProperty("attempts").GetInt32().ShouldBe(3, "the first try and ProductBridge:CallbackRetries = 2");
        failed.GetProperty("callback").GetProperty("status_code").GetInt32().ShouldBe(503);
        shortCut.Status().ShouldBe("callback_failed");
        shortCut.GetProperty("callback").GetProperty("error_kind").GetString().ShouldBe("circuit_open");
        shortCut.GetProperty("callback").GetProperty("attempts").GetInt32().ShouldBe(0);
        _sink.Received(path).Count.ShouldBe(3, "nothing was sent while the circuit was open");

        _sink.Respond(path, 200);
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        var third = await tenant.Client.SendCommandAsync(ProductBridgeApi.Update("T-7"));
        (await tenant.Client.WaitForCommandAsync(third.Id(), c => c.Status() != "published", Patience, "the outcome is recorded"))
            .Status().ShouldBe("delivered", "after ProductBridge:CallbackBreakDuration a command goes again");
    }

    [Fact]
    public async Task A_secret_no_key_decrypts_fails_that_command_at_once_and_holds_up_nobody_else()
    {
        var tenant = await _system.CreateTenantWithKeyAsync();
        var (path, _) = await tenant.Client.ConfigureCallbackAsync(_sink);
        // As if Secrets:EncryptionKey had been replaced without keeping the old one among the previous keys.
        await _system.ScalarAsync<int>("with changed as (update product_callbacks set secret = 'v1.gone.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=' where tenant_id = @t returning 1) select count(*)::int from changed",
            ("t", tenant.TenantId));

        var sent = await tenant.Client.SendCommandAsync(ProductBridgeApi.Update("T-k"));
        var other = await _system.CreateTenantWithKeyAsync();
        await other.Client.ConfigureCallbackAsync(_sink);
        var afterIt = await other.Client.SendCommandAsync(ProductBridgeApi.Update("T-k"));

        var logged = await tenant.Client.WaitForCommandAsync(sent.Id(), c => c.Status() != "published", Patience, "the outcome is recorded");
        logged.Status().ShouldBe("callback_failed");
        logged.GetProperty("callback").GetProperty("error_kind").GetString().ShouldBe("secret_unreadable");
        logged.GetProperty("callback").GetProperty("attempts").GetInt32().ShouldBe(0);
        _sink.Received(path).ShouldBeEmpty("nothing unsigned or wrongly signed goes out");
        (await other.Client.WaitForCommandAsync(afterIt.Id(), c => c.Status() != "published", Patience, "the other tenant's command is answered"))
            .Status().ShouldBe("delivered");

        var rotated = await (await tenant.Client.PostAsync($"{ProductBridgeApi.Callback}/rotate-secret", null)).ShouldBeJsonAsync(HttpStatusCode.OK);
        var again = await tenant.Client.SendCommandAsync(ProductBridgeApi.Update("T-k"));
        (await tenant.Client.WaitForCommandAsync(again.Id(), c => c.Status() != "published", Patience, "the outcome is recorded")).Status().ShouldBe("delivered",
            "a new secret mends it; the unreadable one, now the previous, no longer signs");
        var request = _sink.Received(path).ShouldHaveSingleItem();
        request.Headers["webhook-signature"].Split(' ').ShouldHaveSingleItem();
        VerifiesWithTheDocumentedAlgorithm(request, rotated.GetProperty("secret").GetString()!).ShouldBeTrue();
    }

    [Fact]
    public async Task One_records_commands_reach_the_callback_in_the_order_they_were_sent()
    {
        var tenant = await _system.CreateTenantWithKeyAsync();
        var (path, _) = await tenant.Client.ConfigureCallbackAsync(_sink);

        var sent = new List<Guid>();
        for (var i = 0; i < 8; i++) sent.Add((await tenant.Client.SendCommandAsync(ProductBridgeApi.Update("T-8", new { step = i }))).Id());

        var received = await _sink.WaitForAsync(path, sent.Count, Patience);
        received.Select(r => Guid.Parse(r.WebhookId)).ShouldBe(sent);
    }

    [Fact]
    public async Task During_a_rotation_both_secrets_sign_and_a_removed_callback_gets_nothing_more()
    {
        var tenant = await _system.CreateTenantWithKeyAsync();
        var (path, oldSecret) = await tenant.Client.ConfigureCallbackAsync(_sink);
        var rotated = await (await tenant.Client.PostAsync($"{ProductBridgeApi.Callback}/rotate-secret", null)).ShouldBeJsonAsync(HttpStatusCode.OK);
        var newSecret = rotated.GetProperty("secret").GetString()!;
        rotated.GetProperty("previous_secret_expires_at").GetDateTimeOffset().ShouldBeGreaterThan(DateTimeOffset.UtcNow.AddHours(23));
        (await (await tenant.Client.PostAsync($"{ProductBridgeApi.Callback}/reveal-secret", null)).ShouldBeJsonAsync(HttpStatusCode.OK))
            .GetProperty("secret").GetString().ShouldBe(newSecret);

        var sent = await tenant.Client.SendCommandAsync(ProductBridgeApi.Update("T-9"));
        var request = (await _sink.WaitForAsync(path, 1, Patience)).Single();
        request.Headers["webhook-signature"].Split(' ').Length.ShouldBe(2);
        VerifiesWithTheDocumentedAlgorithm(request, oldSecret).ShouldBeTrue();
        VerifiesWithTheDocumentedAlgorithm(request, newSecret).ShouldBeTrue();
        await tenant.Client.WaitForCommandAsync(sent.Id(), c => c.Status() == "delivered", Patience, "delivered");

        (await tenant.Client.DeleteAsync(ProductBridgeApi.Callback)).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        await (await tenant.Client.GetAsync(ProductBridgeApi.Callback)).ShouldBeErrorAsync(HttpStatusCode.NotFound, "product_callback_not_found");
        var after = await tenant.Client.SendCommandAsync(ProductBridgeApi.Update("T-9"));
        var marker = await SendToAnotherTenantWithACallbackAsync();
        _system.ReadCommands(r => r.Any(m => m.CommandId() == after.Id()), Patience);
        await _sink.WaitForAsync(marker.Path, 1, Patience);
        _sink.Received(path).Count.ShouldBe(1, "the removed callback got nothing more");
        (await tenant.Client.GetCommandAsync(after.Id())).Status().ShouldBe("published", "on the topic; no callback to answer for it");
    }

    [Fact]
    public async Task The_callback_is_one_url_per_tenant_its_secret_shown_only_when_created()
    {
        var tenant = await _system.CreateTenantWithKeyAsync();
        var first = _sink.Url(_sink.NewPath());
        var created = await (await tenant.Client.PutAsJsonAsync(ProductBridgeApi.Callback, new { url = first })).ShouldBeJsonAsync(HttpStatusCode.Created);
        var second = _sink.Url(_sink.NewPath());

        var changed = await (await tenant.Client.PutAsJsonAsync(ProductBridgeApi.Callback, new { url = second })).ShouldBeJsonAsync(HttpStatusCode.OK);
        var read = await (await tenant.Client.GetAsync(ProductBridgeApi.Callback)).ShouldBeJsonAsync(HttpStatusCode.OK);

        created.GetProperty("url").GetString().ShouldBe(first);
        changed.GetProperty("url").GetString().ShouldBe(second);
        changed.GetProperty("secret").ValueKind.ShouldBe(JsonValueKind.Null, "the secret stays what it was and is not shown again");
        read.GetProperty("url").GetString().ShouldBe(second);
        read.TryGetProperty("secret", out _).ShouldBeFalse();
        (await (await tenant.Client.PostAsync($"{ProductBridgeApi.Callback}/reveal-secret", null)).ShouldBeJsonAsync(HttpStatusCode.OK))
            .GetProperty("secret").GetString().ShouldBe(created.GetProperty("secret").GetString());
        var stored = await _system.ScalarAsync<string>("select secret from product_callbacks where tenant_id = @t", ("t", tenant.TenantId));
        stored.ShouldNotContain(created.GetProperty("secret").GetString()!["whsec_".Length..], Case.Sensitive, "encrypted at rest");
    }

    private async Task<(Guid Id, string Path)> SendToAnotherTenantWithACallbackAsync()
    {
        var other = await _system.CreateTenantWithKeyAsync();
        var (path, _) = await other.Client.ConfigureCallbackAsync(_sink);
        return ((await other.Client.SendCommandAsync(ProductBridgeApi.Update("T-x"))).Id(), path);
    }

    /// <summary>docs/webhooks.md, "The request": v1, + base64(HMAC-SHA256(base64-decoded secret after whsec_, "{webhook-id}.{webhook-timestamp}.{body}")).</summary>
    private static bool VerifiesWithTheDocumentedAlgorithm(SinkRequest request, string secret)
    {
        var key = Convert.FromBase64String(secret["whsec_".Length..]);
        var signed = Encoding.UTF8.GetBytes($"{request.Headers["webhook-id"]}.{request.Headers["webhook-timestamp"]}.").Concat(request.Body).ToArray();
        var expected = "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, signed));
        var age = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - long.Parse(request.Headers["webhook-timestamp"], System.Globalization.CultureInfo.InvariantCulture);
        return Math.Abs(age) < 300 && request.Headers["webhook-signature"].Split(' ').Contains(expected);
    }
}
