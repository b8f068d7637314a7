using System.Diagnostics;
using Integrations.Domain.Notifications;
using Integrations.Domain.Webhooks;
using Integrations.IntegrationTests.Infrastructure;
using Integrations.IntegrationTests.Webhooks.Delivery;
using Shouldly;

namespace Integrations.IntegrationTests.Notifications;

/// <summary>The mail server down: mail waits and is sent once it is back, and nothing else waits for it. A fixture of its own, as it stops the catcher.</summary>
[Collection(DeliveryCollection.Name)]
public class MailOutageTests(MailOutageTests.OutageFixture fixture) : IClassFixture<MailOutageTests.OutageFixture>
{
    public sealed class OutageFixture : NotificationFixture;

    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(20);
    private readonly DeliverySystem _system = fixture.System;

    [Fact]
    public async Task While_the_mail_server_is_down_mail_waits_and_is_retried_nothing_else_waits_and_once_it_is_back_each_mail_arrives_once()
    {
        var org = await _system.CreateOrganisationAsync(admins: 2);
        var healthy = await _system.CreateEndpointAsync(fixture.Sink, ["invoice.paid"], tenant: org.Tenant);
        await fixture.StopCatcherAsync();

        var took = Stopwatch.StartNew();
        (await _system.IncidentAsync((log, ct) => log.OpenAsync(org.Tenant.TenantId, IncidentKinds.ConnectionDisconnected, Guid.NewGuid(),
            "Twinfield connection disconnected", null, ct))).ShouldBe(Application.Notifications.IncidentChange.Opened);
        took.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(2), "recording an incident never talks to the mail server");
        (await org.Tenant.Client.WaitForNotificationsAsync(1)).Single().GetProperty("emails").GetProperty("pending").GetInt32().ShouldBe(2);

        // Tried and failed, again later (retries after 1 s, the breaker waits 1 s), still pending: nothing given up.
        await Eventually.HoldsAsync(async () => await _system.ScalarAsync<long>(
            "select count(*) from notification_mails where tenant_id = @t and status = 'pending' and attempts >= 2 and last_error is not null",
            ("t", org.Tenant.TenantId)) == 2, Soon, "both mails tried more than once while the server is down");

        // Meanwhile the platform goes on: events are accepted and delivered, notices listed.
        var eventId = await org.Tenant.Client.PublishAsync();
        await org.Tenant.Client.WaitForDeliveryAsync(WebhookDeliveryDecider.DeliveryId(eventId, healthy.Id), d => d.Status() == "succeeded", Soon,
            "a webhook delivered while the mail server is down");

        await fixture.RestartCatcherAsync();
        foreach (var admin in org.Admins) (await fixture.Catcher.MessagesAsync(to: admin, waitFor: 1, timeout: Soon)).ShouldHaveSingleItem();
        await Eventually.HoldsAsync(async () => (await org.Tenant.Client.NotificationsAsync()).Single().Sent() == 2, Soon, "both recorded as sent");
        await Task.Delay(TimeSpan.FromSeconds(2));
        foreach (var admin in org.Admins) (await fixture.Catcher.MessagesAsync(to: admin)).Count.ShouldBe(1, "sent once, not once per try");
    }
}
