using System.Net;
using System.Text.Json;
using Integrations.Domain.Notifications;
using Integrations.IntegrationTests.Api;
using Integrations.IntegrationTests.Infrastructure;
using Integrations.IntegrationTests.Webhooks.Delivery;
using Shouldly;

namespace Integrations.IntegrationTests.Notifications;

/// <summary>
/// Customer notification of persistent failures through real parts: incidents recorded by the platform's
/// use cases, notices over HTTP, mails received by a real SMTP server process.
/// </summary>
[Collection(DeliveryCollection.Name)]
public class NotificationTests(NotificationFixture fixture) : IClassFixture<NotificationFixture>
{
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(20);
    private readonly DeliverySystem _system = fixture.System;
    private readonly WebhookSink _sink = fixture.Sink;
    private SmtpCatcherFake Catcher => fixture.Catcher;

    [Fact]
    public async Task A_failure_reported_again_and_again_is_one_notice_and_one_mail_per_admin_until_it_is_resolved_once()
    {
        var org = await _system.CreateOrganisationAsync();
        var connection = Guid.NewGuid();
        var changes = new List<Application.Notifications.IncidentChange>();
        for (var i = 0; i < 5; i++)
            changes.Add(await _system.IncidentAsync((log, ct) => log.OpenAsync(org.Tenant.TenantId, IncidentKinds.ConnectionNeedsReauth, connection,
                "Slack connection Acme workspace needs re-authorisation", $"invalid_grant (refresh {i + 1})", ct)));
        changes.ShouldBe([.. new[] { Application.Notifications.IncidentChange.Opened }, .. Enumerable.Repeat(Application.Notifications.IncidentChange.Recurred, 4)]);

        var opened = (await org.Tenant.Client.WaitForNotificationsAsync(1)).Single();
        opened.Kind().ShouldBe(IncidentKinds.ConnectionNeedsReauth);
        opened.Notice().ShouldBe("opened");
        opened.GetProperty("subject_id").GetGuid().ShouldBe(connection);
        opened.GetProperty("occurrences").GetInt32().ShouldBe(5);
        opened.GetProperty("detail").GetString().ShouldBe("invalid_grant (refresh 1)", "the detail of the failure that opened it");
        opened.GetProperty("read").GetBoolean().ShouldBeFalse();
        opened.GetProperty("resolved_at").ValueKind.ShouldBe(JsonValueKind.Null);

        foreach (var admin in org.Admins)
        {
            var mail = (await Catcher.MessagesAsync(to: admin, waitFor: 1, timeout: Soon)).ShouldHaveSingleItem();
            mail.Subject.ShouldBe($"[{org.Name}] Slack connection Acme workspace needs re-authorisation");
            mail.Text!.ShouldContain("Connection needs re-authorisation");
            mail.Text!.ShouldContain($"POST /api/v1/connections/{connection}/reconnect", Case.Sensitive, "what to do");
            mail.Text!.ShouldContain($"{NotificationFixture.BaseUrl}/api/v1/connections/{connection}", Case.Sensitive, "a link, without a double slash");
            mail.HeaderValue("X-Integrations-Notification-Id").ShouldBe(opened.Id().ToString());
        }
        await Eventually.HoldsAsync(async () => (await org.Tenant.Client.NotificationsAsync()).Single().Sent() == 2, Soon, "both mails recorded as sent");
        (await Catcher.MessagesAsync(to: org.Member)).ShouldBeEmpty("members who are not admins are not mailed");
        (await Catcher.MessagesAsync(to: org.InvitedAdmin)).ShouldBeEmpty("an admin who never joined is not mailed");

        for (var i = 0; i < 2; i++)
            await _system.IncidentAsync((log, ct) => log.ResolveAsync(org.Tenant.TenantId, IncidentKinds.ConnectionNeedsReauth, connection,
                "Slack connection Acme workspace was authorised again", ct));
        var resolved = (await org.Tenant.Client.WaitForNotificationsAsync(1, "?notice=resolved")).Single();
        resolved.GetProperty("summary").GetString().ShouldBe("Slack connection Acme workspace was authorised again");
        resolved.GetProperty("opened_at").GetDateTimeOffset().ShouldBe(opened.GetProperty("opened_at").GetDateTimeOffset());
        foreach (var admin in org.Admins)
        {
            var mails = await Catcher.MessagesAsync(to: admin, waitFor: 2, timeout: Soon);
            mails.Count.ShouldBe(2);
            mails[1].Subject.ShouldBe($"[{org.Name}] Resolved: Slack connection Acme workspace was authorised again");
            mails[1].Text!.ShouldContain("Working again since");
        }
        (await org.Tenant.Client.NotificationsAsync("?notice=opened")).Single().GetProperty("resolved_at").ValueKind.ShouldBe(JsonValueKind.String);

        // The next failure is a new incident: a notice and mails of its own.
        (await _system.IncidentAsync((log, ct) => log.OpenAsync(org.Tenant.TenantId, IncidentKinds.ConnectionNeedsReauth, connection,
            "Slack connection Acme workspace needs re-authorisation", null, ct))).ShouldBe(Application.Notifications.IncidentChange.Opened);
        await org.Tenant.Client.WaitForNotificationsAsync(3);
        (await Catcher.MessagesAsync(to: org.Admins[0], waitFor: 3, timeout: Soon)).Count.ShouldBe(3);
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        foreach (var admin in org.Admins) (await Catcher.MessagesAsync(to: admin)).Count.ShouldBe(3, "never a second mail of a notice");
    }

    [Fact]
    public async Task Notices_are_read_once_for_the_whole_organisation_and_no_tenant_sees_or_reads_another_s()
    {
        var a = await _system.CreateOrganisationAsync(admins: 1);
        var b = await _system.CreateOrganisationAsync(admins: 1);
        await _system.IncidentAsync((log, ct) => log.OpenAsync(a.Tenant.TenantId, IncidentKinds.ConnectionDisconnected, Guid.NewGuid(), "HubSpot connection disconnected", "3 health checks failed", ct));
        await _system.IncidentAsync((log, ct) => log.OpenAsync(a.Tenant.TenantId, IncidentKinds.BreakerOpen, Guid.NewGuid(), "Calls to Jira paused", null, ct));
        await _system.IncidentAsync((log, ct) => log.OpenAsync(b.Tenant.TenantId, IncidentKinds.DeadLettersPiling, Guid.NewGuid(), "Dead letters piling up", null, ct));

        var ofA = await a.Tenant.Client.WaitForNotificationsAsync(2);
        var ofB = (await b.Tenant.Client.WaitForNotificationsAsync(1)).Single();
        ofA.Select(n => n.Kind()).ShouldBe([IncidentKinds.BreakerOpen, IncidentKinds.ConnectionDisconnected], "newest first");
        var disconnected = ofA.Single(n => n.Kind() == IncidentKinds.ConnectionDisconnected);

        var read = await (await a.Tenant.Client.PostAsync($"/api/v1/notifications/{disconnected.Id()}/read", null)).ShouldBeJsonAsync(HttpStatusCode.OK);
        read.GetProperty("read").GetBoolean().ShouldBeTrue();
        var readAt = read.GetProperty("read_at").GetDateTimeOffset();
        var again = await (await a.Tenant.Client.PostAsync($"/api/v1/notifications/{disconnected.Id()}/read", null)).ShouldBeJsonAsync(HttpStatusCode.OK);
        again.GetProperty("read_at").GetDateTimeOffset().ShouldBe(readAt, "marking a read notice again changes nothing");
        (await a.Tenant.Client.NotificationsAsync("?unread=true")).Select(n => n.Kind()).ShouldBe([IncidentKinds.BreakerOpen]);
        (await a.Tenant.Client.NotificationsAsync("?unread=false")).Select(n => n.Id()).ShouldBe([disconnected.Id()]);
        (await a.Tenant.Client.NotificationsAsync($"?kind={IncidentKinds.BreakerOpen}&fields=kind")).Single().EnumerateObject().Select(p => p.Name)
            .ShouldBe(["id", "kind"], ignoreOrder: true);
        (await (await _system.Admin.GetAsync($"/api/v1/notifications/{disconnected.Id()}?tenant_id={a.Tenant.TenantId}")).ShouldBeJsonAsync(HttpStatusCode.OK))
            .GetProperty("read").GetBoolean().ShouldBeTrue("the admin key sees the tenant it names");

        // Tenant B: A's notice does not exist for it, and reading it changes nothing.
        await (await b.Tenant.Client.GetAsync($"/api/v1/notifications/{disconnected.Id()}")).ShouldBeErrorAsync(HttpStatusCode.NotFound, "notification_not_found");
        var unreadOfA = ofA.Single(n => n.Kind() == IncidentKinds.BreakerOpen);
        await (await b.Tenant.Client.PostAsync($"/api/v1/notifications/{unreadOfA.Id()}/read", null)).ShouldBeErrorAsync(HttpStatusCode.NotFound, "notification_not_found");
        (await a.Tenant.Client.NotificationsAsync("?unread=true")).Single().Id().ShouldBe(unreadOfA.Id());
        (await b.Tenant.Client.NotificationsAsync()).Select(n => n.Id()).ShouldBe([ofB.Id()]);
        await (await b.Tenant.Client.GetAsync($"/api/v1/notifications?tenant_id={a.Tenant.TenantId}")).ShouldBeErrorAsync(HttpStatusCode.NotFound, "tenant_not_found");

        (await Catcher.MessagesAsync(to: a.Admins[0], waitFor: 2, timeout: Soon)).Count.ShouldBe(2);
        var mailsOfB = await Catcher.MessagesAsync(to: b.Admins[0], waitFor: 1, timeout: Soon);
        mailsOfB.ShouldHaveSingleItem().Subject.ShouldBe($"[{b.Name}] Dead letters piling up");
        mailsOfB.Single().EnvelopeTo.ShouldBe([b.Admins[0]], "one mail per admin, to that admin only");
    }

    [Fact]
    public async Task A_tenant_without_admins_gets_its_notices_in_the_app_and_no_mail_is_ever_queued()
    {
        var org = await _system.CreateOrganisationAsync(admins: 0);
        await _system.IncidentAsync((log, ct) => log.OpenAsync(org.Tenant.TenantId, IncidentKinds.ConnectionDisconnected, Guid.NewGuid(), "Jira connection disconnected", null, ct));

        var notice = (await org.Tenant.Client.WaitForNotificationsAsync(1)).Single();
        notice.GetProperty("emails").GetRawText().ShouldBe("""{"sent":0,"pending":0,"failed":0}""");
        (await _system.ScalarAsync<long>("select count(*) from notification_mails where tenant_id = @t", ("t", org.Tenant.TenantId))).ShouldBe(0,
            "nothing to send, so nothing for the pipeline to retry");
        await Task.Delay(TimeSpan.FromSeconds(1));
        (await Catcher.MessagesAsync(to: org.Member)).ShouldBeEmpty();
        (await Catcher.MessagesAsync(to: org.InvitedAdmin)).ShouldBeEmpty();
    }

    [Fact]
    public async Task A_temporary_refusal_is_retried_and_a_permanent_one_is_given_up_without_holding_up_other_mail()
    {
        var org = await _system.CreateOrganisationAsync(admins: 1);
        await Catcher.FailNextAsync(451, message: "Try again later");
        await _system.IncidentAsync((log, ct) => log.OpenAsync(org.Tenant.TenantId, IncidentKinds.ConnectionDisconnected, Guid.NewGuid(), "Salesforce connection disconnected", null, ct));
        (await Catcher.MessagesAsync(to: org.Admins[0], waitFor: 1, timeout: Soon)).ShouldHaveSingleItem();
        await Eventually.HoldsAsync(async () => (await org.Tenant.Client.NotificationsAsync()).Single().Sent() == 1, Soon, "recorded as sent");
        var retried = await _system.ScalarAsync<int>("select attempts from notification_mails where tenant_id = @t and status = 'sent'", ("t", org.Tenant.TenantId));
        retried.ShouldBe(2, "the 451 was a try, the retry a second one");

        var refused = await _system.CreateOrganisationAsync(admins: 1);
        await Catcher.FailNextAsync(550, message: "No such user");
        await _system.IncidentAsync((log, ct) => log.OpenAsync(refused.Tenant.TenantId, IncidentKinds.ConnectionDisconnected, Guid.NewGuid(), "Exact Online connection disconnected", null, ct));
        await Eventually.HoldsAsync(async () => (await refused.Tenant.Client.NotificationsAsync()).SingleOrDefault() is { } n
            && n.GetProperty("emails").GetProperty("failed").GetInt32() == 1, Soon, "the refused mail is given up");
        (await _system.ScalarAsync<string>("select last_error from notification_mails where tenant_id = @t", ("t", refused.Tenant.TenantId))).ShouldContain("550");
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        (await Catcher.MessagesAsync(to: refused.Admins[0])).ShouldBeEmpty("a refused mail is not tried again");
    }

    [Fact]
    public async Task Bad_input_gets_the_documented_errors_and_changes_nothing()
    {
        var org = await _system.CreateOrganisationAsync(admins: 0);
        var client = org.Tenant.Client;
        (await (await client.GetAsync("/api/v1/notifications?unread=maybe")).ShouldBeErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed"))
            .GetProperty("details")[0].GetProperty("code").GetString().ShouldBe("invalid_unread");
        (await (await client.GetAsync("/api/v1/notifications?kind=made.up")).ShouldBeErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed"))
            .GetProperty("details")[0].GetProperty("code").GetString().ShouldBe("invalid_kind");
        await (await client.GetAsync("/api/v1/notifications?limit=0")).ShouldBeErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
        await (await client.GetAsync("/api/v1/notifications?colour=red")).ShouldBeErrorAsync(HttpStatusCode.BadRequest, "invalid_parameter");
        await (await client.GetAsync("/api/v1/notifications?unread=true&unread=false")).ShouldBeErrorAsync(HttpStatusCode.BadRequest, "invalid_parameter");
        await (await client.GetAsync("/api/v1/notifications?sort=kind")).ShouldBeErrorAsync(HttpStatusCode.BadRequest, "invalid_parameter");
        await (await client.PostAsync($"/api/v1/notifications/{Guid.NewGuid()}/read", null)).ShouldBeErrorAsync(HttpStatusCode.NotFound, "notification_not_found");
        await (await client.PostAsync("/api/v1/notifications/not-a-uuid/read", null)).ShouldBeErrorAsync(HttpStatusCode.NotFound, "not_found");
        await (await client.DeleteAsync("/api/v1/notifications")).ShouldBeErrorAsync(HttpStatusCode.MethodNotAllowed, "method_not_allowed");
        await (await _system.Client().GetAsync("/api/v1/notifications")).ShouldBeErrorAsync(HttpStatusCode.Unauthorized, "unauthenticated");
        await (await _system.Admin.GetAsync("/api/v1/notifications")).ShouldBeErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
        (await client.NotificationsAsync()).ShouldBeEmpty();
    }

    [Fact]
    public async Task Rebuilding_the_notifications_read_model_gives_the_same_notices_and_mails_nobody_again()
    {
        var org = await _system.CreateOrganisationAsync(admins: 1);
        var subject = Guid.NewGuid();
        await _system.IncidentAsync((log, ct) => log.OpenAsync(org.Tenant.TenantId, IncidentKinds.ConnectionDisconnected, subject, "Brevo connection disconnected", "timeout", ct));
        await _system.IncidentAsync((log, ct) => log.OpenAsync(org.Tenant.TenantId, IncidentKinds.ConnectionDisconnected, subject, "Brevo connection disconnected", "timeout", ct));
        await _system.IncidentAsync((log, ct) => log.ResolveAsync(org.Tenant.TenantId, IncidentKinds.ConnectionDisconnected, subject, "Brevo connection works again", ct));
        var notices = await org.Tenant.Client.WaitForNotificationsAsync(2);
        await (await org.Tenant.Client.PostAsync($"/api/v1/notifications/{notices[0].Id()}/read", null)).ShouldBeJsonAsync(HttpStatusCode.OK);
        (await Catcher.MessagesAsync(to: org.Admins[0], waitFor: 2, timeout: Soon)).Count.ShouldBe(2);
        const string dump = "select coalesce(jsonb_agg(to_jsonb(n) order by id), '[]')::text from notifications n";
        var before = await _system.ScalarAsync<string>(dump);
        var mails = await _system.ScalarAsync<long>("select count(*) from notification_mails");

        await _system.ScalarAsync<int>("delete from notifications; select 1");
        (await org.Tenant.Client.NotificationsAsync()).ShouldBeEmpty();
        await (await _system.Admin.PostAsync("/api/v1/admin/projections/notifications/rebuild", null)).ShouldBeJsonAsync(HttpStatusCode.OK);

        (await _system.ScalarAsync<string>(dump)).ShouldBe(before);
        (await _system.ScalarAsync<long>("select count(*) from notification_mails")).ShouldBe(mails);
        await Task.Delay(TimeSpan.FromSeconds(1));
        (await Catcher.MessagesAsync(to: org.Admins[0])).Count.ShouldBe(2, "a rebuild mails nobody");
    }

    [Fact]
    public async Task An_OAuth_token_needs_the_notifications_read_scope()
    {
        var org = await _system.CreateOrganisationAsync(admins: 0);
        await _system.IncidentAsync((log, ct) => log.OpenAsync(org.Tenant.TenantId, IncidentKinds.BreakerOpen, Guid.NewGuid(), "Calls to Slack paused", null, ct));
        var notice = (await org.Tenant.Client.WaitForNotificationsAsync(1)).Single();
        var oauth = new OAuth.OAuthHarness(_system);
        var app = await oauth.RegisterAppAsync(org.Tenant, scopes: ["events:read", "notifications:read"]);
        var member = await oauth.CreateMemberAsync(org.Tenant);

        var verifier = OAuth.OAuthHarness.Verifier();
        var eventsOnly = await oauth.ExchangeAsync(app, await oauth.AuthorizeAsync(app, member, OAuth.OAuthHarness.Challenge(verifier), "events:read"), verifier);
        var withoutScope = await _system.Client(eventsOnly.AccessToken).GetAsync("/api/v1/notifications");
        (await withoutScope.ShouldBeErrorAsync(HttpStatusCode.Forbidden, "insufficient_scope")).ShouldNotBe(default);
        withoutScope.Headers.WwwAuthenticate.ToString().ShouldContain("scope=\"notifications:read\"");

        verifier = OAuth.OAuthHarness.Verifier();
        var reader = await oauth.ExchangeAsync(app, await oauth.AuthorizeAsync(app, member, OAuth.OAuthHarness.Challenge(verifier), "notifications:read"), verifier);
        var client = _system.Client(reader.AccessToken);
        (await client.NotificationsAsync()).Single().Id().ShouldBe(notice.Id());
        (await (await client.PostAsync($"/api/v1/notifications/{notice.Id()}/read", null)).ShouldBeJsonAsync(HttpStatusCode.OK)).GetProperty("read").GetBoolean().ShouldBeTrue();
    }
}
