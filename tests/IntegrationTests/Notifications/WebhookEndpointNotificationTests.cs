using System.Net;
using System.Net.Http.Json;
using Integrations.Domain.Notifications;
using Integrations.IntegrationTests.Api;
using Integrations.IntegrationTests.Infrastructure;
using Integrations.IntegrationTests.Webhooks;
using Integrations.IntegrationTests.Webhooks.Delivery;
using Shouldly;

namespace Integrations.IntegrationTests.Notifications;

/// <summary>The platform incident wired today: a webhook endpoint the delivery side disables, and enabled again.</summary>
[Collection(DeliveryCollection.Name)]
public class WebhookEndpointNotificationTests(NotificationFixture fixture) : IClassFixture<NotificationFixture>
{
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(20);
    private readonly DeliverySystem _system = fixture.System;
    private readonly WebhookSink _sink = fixture.Sink;

    [Fact]
    public async Task An_endpoint_disabled_by_failures_is_one_notice_and_one_mail_per_admin_and_enabling_it_is_one_resolved_notice_and_mail()
    {
        var org = await _system.CreateOrganisationAsync(admins: 2);
        var path = _sink.NewPath();
        // A URL whose path and query carry a token, as some receivers' do: it must not be mailed.
        var url = _sink.Url(path) + "?token=tok_secret_in_the_url_8f3a";
        var created = await (await org.Tenant.Client.PostAsJsonAsync("/api/v1/webhook-endpoints",
            new { url, event_types = new[] { "invoice.paid" }, description = "Billing sync", rate_limit_per_minute = DeliveryApi.Unpaced })).ShouldBeJsonAsync(HttpStatusCode.Created);
        var endpointId = created.GetProperty("id").GetGuid();
        var secret = created.GetProperty("secret").GetString()!;
        _sink.Respond(path, 500);
        for (var i = 0; i < 3; i++) await org.Tenant.Client.PublishAsync();

        var opened = (await org.Tenant.Client.WaitForNotificationsAsync(1, timeout: Soon)).Single();
        opened.Kind().ShouldBe(IncidentKinds.WebhookEndpointDisabled);
        opened.Notice().ShouldBe("opened");
        opened.GetProperty("subject_id").GetGuid().ShouldBe(endpointId);
        opened.GetProperty("summary").GetString().ShouldBe($"Webhook endpoint 127.0.0.1:{new Uri(url).Port} (Billing sync) was disabled");
        opened.GetProperty("detail").GetString()!.ShouldContain("3 consecutive delivery attempts failed");
        (await org.Tenant.Client.GetEndpointAsync(endpointId)).GetProperty("status").GetString().ShouldBe("disabled");

        foreach (var admin in org.Admins)
        {
            var mail = (await fixture.Catcher.MessagesAsync(to: admin, waitFor: 1, timeout: Soon)).ShouldHaveSingleItem();
            mail.Subject.ShouldBe($"[{org.Name}] {opened.GetProperty("summary").GetString()}");
            foreach (var body in new[] { mail.Text!, mail.Html! })
            {
                body.ShouldContain("Webhook endpoint disabled");
                body.ShouldContain("3 consecutive delivery attempts failed; the last one: HTTP 500");
                body.ShouldContain(opened.GetProperty("opened_at").GetDateTimeOffset().ToUniversalTime().ToString("yyyy-MM-dd HH:mm"), Case.Sensitive, "since when");
                body.ShouldContain($"POST /api/v1/webhook-endpoints/{endpointId}/enable", Case.Sensitive, "what to do");
                body.ShouldContain($"{NotificationFixture.BaseUrl}/api/v1/webhook-endpoints/{endpointId}/health", Case.Sensitive, "a link to the endpoint");
                body.ShouldContain($"{NotificationFixture.BaseUrl}/api/v1/notifications/{opened.Id()}", Case.Sensitive, "a link to the notice");
                body.ShouldNotContain("tok_secret_in_the_url_8f3a", Case.Sensitive, "the URL's query may carry a secret");
                body.ShouldNotContain(path, Case.Sensitive, "the URL's path may carry a secret");
                body.ShouldNotContain(secret, Case.Sensitive, "the signing secret is never mailed");
            }
            (await fixture.Catcher.RawAsync(mail.Id)).ShouldNotContain("tok_secret_in_the_url_8f3a");
            mail.HeaderValue("Auto-Submitted").ShouldBe("auto-generated");
        }

        // More failures of the disabled endpoint, and disabling it again by hand: no second notice, no second mail.
        for (var i = 0; i < 3; i++) await org.Tenant.Client.PublishAsync();
        await (await org.Tenant.Client.PostAsync($"/api/v1/webhook-endpoints/{endpointId}/disable", null)).ShouldBeJsonAsync(HttpStatusCode.OK);
        await Task.Delay(TimeSpan.FromSeconds(2));
        (await org.Tenant.Client.NotificationsAsync()).Count.ShouldBe(1);
        foreach (var admin in org.Admins) (await fixture.Catcher.MessagesAsync(to: admin)).Count.ShouldBe(1);

        _sink.Respond(path, 200);
        await (await org.Tenant.Client.PostAsync($"/api/v1/webhook-endpoints/{endpointId}/enable", null)).ShouldBeJsonAsync(HttpStatusCode.OK);
        var resolved = (await org.Tenant.Client.WaitForNotificationsAsync(1, "?notice=resolved")).Single();
        resolved.GetProperty("summary").GetString().ShouldBe($"Webhook endpoint 127.0.0.1:{new Uri(url).Port} (Billing sync) was enabled again");
        foreach (var admin in org.Admins)
        {
            var mails = await fixture.Catcher.MessagesAsync(to: admin, waitFor: 2, timeout: Soon);
            mails.Count.ShouldBe(2);
            mails[1].Subject.ShouldBe($"[{org.Name}] Resolved: {resolved.GetProperty("summary").GetString()}");
        }
        await (await org.Tenant.Client.PostAsync($"/api/v1/webhook-endpoints/{endpointId}/enable", null)).ShouldBeJsonAsync(HttpStatusCode.OK);
        (await org.Tenant.Client.DeleteAsync($"/api/v1/webhook-endpoints/{endpointId}")).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        (await org.Tenant.Client.NotificationsAsync()).Count.ShouldBe(2, "enabling an enabled endpoint, or deleting an endpoint without an open incident, tells nobody anything");
        foreach (var admin in org.Admins) (await fixture.Catcher.MessagesAsync(to: admin)).Count.ShouldBe(2);
    }

    [Fact]
    public async Task A_410_disables_the_endpoint_with_a_notice_and_deleting_it_resolves_the_incident()
    {
        var org = await _system.CreateOrganisationAsync(admins: 1);
        var endpoint = await _system.CreateEndpointAsync(_sink, ["invoice.paid"], tenant: org.Tenant);
        _sink.Respond(endpoint.Path, 410, "gone for good");
        await org.Tenant.Client.PublishAsync();

        var opened = (await org.Tenant.Client.WaitForNotificationsAsync(1, timeout: Soon)).Single();
        opened.GetProperty("detail").GetString()!.ShouldContain("410 Gone");
        (await fixture.Catcher.MessagesAsync(to: org.Admins[0], waitFor: 1, timeout: Soon)).ShouldHaveSingleItem();

        (await org.Tenant.Client.DeleteAsync($"/api/v1/webhook-endpoints/{endpoint.Id}")).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        var resolved = (await org.Tenant.Client.WaitForNotificationsAsync(1, "?notice=resolved")).Single();
        resolved.GetProperty("summary").GetString()!.ShouldEndWith("was deleted");
        (await fixture.Catcher.MessagesAsync(to: org.Admins[0], waitFor: 2, timeout: Soon)).Count.ShouldBe(2);
    }
}
