using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Notifications;
using Integrations.IntegrationTests.Api;
using Integrations.IntegrationTests.Infrastructure;
using Integrations.IntegrationTests.Webhooks.Delivery;
using Microsoft.Extensions.DependencyInjection;
using Shouldly;

namespace Integrations.IntegrationTests.Notifications;

/// <summary>
/// The whole system with the notifications pipeline mailing through the SMTP catcher fake (a real SMTP
/// server process, tests/Fakes/SmtpCatcher) on a port of the fixture's own, so a test can stop the
/// catcher and start it again where the pipeline expects it. Endpoints are disabled after 3 failures;
/// mails are retried after 1 s and the breaker waits 1 s.
/// </summary>
public class NotificationFixture : DeliveryFixture, IAsyncLifetime
{
    public NotificationFixture() : this(new NotificationSystem())
    {
    }

    private NotificationFixture(NotificationSystem system) : base(system) => Notifications = system;

    private NotificationSystem Notifications { get; }

    public SmtpCatcherFake Catcher { get; private set; } = null!;

    public int SmtpPort => Notifications.SmtpPort;

    public const string BaseUrl = "https://console.example.test";

    public override async Task InitializeAsync()
    {
        Notifications.SmtpPort = FreePort();
        Catcher = await StartCatcherAsync();
        await base.InitializeAsync();
    }

    public new async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (Catcher is not null) await Catcher.DisposeAsync();
    }

    /// <summary>Stops the mail server: connections to its port are refused until <see cref="RestartCatcherAsync"/>.</summary>
    public async Task StopCatcherAsync() => await Catcher.DisposeAsync();

    public async Task RestartCatcherAsync()
    {
        // The port was ours a moment ago; a listener may still hold it for a moment after the process exits.
        for (var i = 0; ; i++)
        {
            try
            {
                Catcher = await StartCatcherAsync();
                return;
            }
            catch (Exception) when (i < 20)
            {
                await Task.Delay(250);
            }
        }
    }

    private Task<SmtpCatcherFake> StartCatcherAsync() => SmtpCatcherFake.StartAsync($"--Smtp:Port={SmtpPort}");

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private sealed class NotificationSystem : DeliverySystem
    {
        public int SmtpPort { get; set; }

        protected override IReadOnlyDictionary<string, string?> Overrides => new Dictionary<string, string?>
        {
            ["Webhooks:AutoDisableAfterConsecutiveFailures"] = "3",
            ["Mail:Host"] = "127.0.0.1",
            ["Mail:Port"] = SmtpPort.ToString(global::System.Globalization.CultureInfo.InvariantCulture),
            ["Mail:Tls"] = "none",
            ["Mail:From"] = "Integrations <notifications@integrations.example.test>",
            ["Mail:BaseUrl"] = BaseUrl + "/",
            ["Mail:PollInterval"] = "00:00:00.200",
            ["Mail:RetrySchedule"] = "1s",
            ["Mail:CircuitBreakDuration"] = "00:00:01",
            ["Mail:Timeout"] = "00:00:05",
        };
    }
}

/// <summary>An organisation with members of each kind: who gets the mails and who does not.</summary>
public sealed record Organisation(TenantWithKey Tenant, string Name, IReadOnlyList<string> Admins, string Member, string InvitedAdmin);

public static class NotificationApi
{
    private const string Password = "correct horse battery staple";

    /// <summary>A tenant with <paramref name="admins"/> active admins, an active member and an admin who was invited but never joined.</summary>
    public static async Task<Organisation> CreateOrganisationAsync(this TestSystem system, int admins = 2)
    {
        var name = "Org " + Guid.NewGuid().ToString("N")[..6];
        var tenant = await system.CreateTenantWithKeyAsync(name: name);
        var tag = Guid.NewGuid().ToString("N")[..8];
        var adminEmails = new List<string>();
        for (var i = 0; i < admins; i++) adminEmails.Add(await system.AddMemberAsync(tenant, $"admin{i}-{tag}@example.com", "admin", join: true));
        var member = await system.AddMemberAsync(tenant, $"member-{tag}@example.com", "member", join: true);
        var invited = await system.AddMemberAsync(tenant, $"invited-{tag}@example.com", "admin", join: false);
        return new Organisation(tenant, name, adminEmails, member, invited);
    }

    public static async Task<string> AddMemberAsync(this TestSystem system, TenantWithKey tenant, string email, string role, bool join)
    {
        var invitation = await (await tenant.Client.PostAsJsonAsync("/api/v1/members", new { email, role })).ShouldBeJsonAsync(HttpStatusCode.Created);
        if (join)
            await (await system.Client().PostAsJsonAsync("/api/v1/members/accept",
                new { invitation_token = invitation.GetProperty("invitation_token").GetString(), password = Password })).ShouldBeJsonAsync(HttpStatusCode.OK);
        return email;
    }

    public static async Task<IReadOnlyList<JsonElement>> NotificationsAsync(this HttpClient client, string query = "")
    {
        var page = await (await client.GetAsync("/api/v1/notifications" + query)).ShouldBeJsonAsync(HttpStatusCode.OK);
        return [.. page.GetProperty("data").EnumerateArray()];
    }

    /// <summary>Polls the list until it holds <paramref name="count"/> notices (and returns them), failing if it ever holds more.</summary>
    public static async Task<IReadOnlyList<JsonElement>> WaitForNotificationsAsync(this HttpClient client, int count, string query = "", TimeSpan? timeout = null)
    {
        IReadOnlyList<JsonElement> notices = [];
        await Eventually.HoldsAsync(async () =>
        {
            notices = await client.NotificationsAsync(query);
            notices.Count.ShouldBeLessThanOrEqualTo(count, "more notices than expected");
            return notices.Count == count;
        }, timeout ?? TimeSpan.FromSeconds(20), $"{count} notification(s){query}");
        return notices;
    }

    /// <summary>Runs the incident log as a feature does, in a unit of work of the Workers host (the connections' use cases will).</summary>
    public static async Task<IncidentChange> IncidentAsync(this TestSystem system, Func<IncidentLog, CancellationToken, Task<IncidentChange>> call)
    {
        await using var scope = system.Workers!.Services.CreateAsyncScope();
        var log = scope.ServiceProvider.GetRequiredService<IncidentLog>();
        return await scope.ServiceProvider.GetRequiredService<IUnitOfWork>().ExecuteAsync(ct => call(log, ct), CancellationToken.None);
    }

    public static string Kind(this JsonElement notice) => notice.GetProperty("kind").GetString()!;

    public static string Notice(this JsonElement notice) => notice.GetProperty("notice").GetString()!;

    public static Guid Id(this JsonElement notice) => notice.GetProperty("id").GetGuid();

    public static int Sent(this JsonElement notice) => notice.GetProperty("emails").GetProperty("sent").GetInt32();
}
