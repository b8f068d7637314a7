using Integrations.Domain.Common;
using Integrations.Domain.Connections;
using Shouldly;

namespace Integrations.Domain.UnitTests.Connections;

public class ConnectionDeciderTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 6, 9, 0, 0, TimeSpan.Zero);
    private static readonly Guid Id = Guid.Parse("0193f0a0-0000-7000-8000-0000000000c1");
    private static readonly Guid Tenant = Guid.Parse("0193f0a0-0000-7000-8000-0000000000a1");

    private static ConnectionState Given(params IConnectionEvent[] events) => ConnectionDecider.Decider.Fold(events);

    private static IReadOnlyList<IConnectionEvent> When(ConnectionState state, ConnectionCommand command) => ConnectionDecider.Decide(command, state);

    private static ConnectionCreated Created => new(Id, Tenant, "slack", "oauth2", "Ops workspace", "key:ik_1", Now);

    private static AuthorizationRequested Requested(string state = "h1", bool reconnect = false) => new(Id, Tenant, state, Now.AddMinutes(30), reconnect, "key:ik_1", Now);

    private static ConnectionAuthorized Authorized(string account = "T123", int version = 1) =>
        new(Id, Tenant, account, "Acme", ["chat:write"], version, Now.AddHours(12), "key:ik_1", Now.AddMinutes(1));

    [Fact]
    public void A_new_connection_is_pending_until_its_authorization_comes_back_with_the_state_it_was_given()
    {
        var pending = Given(Created, Requested());
        pending.Status.ShouldBe(ConnectionStatuses.Pending);

        var events = When(pending, new CompleteAuthorization("h1", "T123", "Acme", ["chat:write"], 1, Now.AddHours(12), "key:ik_1", Now.AddMinutes(1)));

        var authorized = events.Single().ShouldBeOfType<ConnectionAuthorized>();
        authorized.ShouldBe(Authorized() with { Scopes = authorized.Scopes });
        authorized.Scopes.ShouldBe(["chat:write"]);
        var connected = ConnectionDecider.Decider.Fold([Created, Requested(), .. events]);
        connected.Status.ShouldBe(ConnectionStatuses.Connected);
        connected.PendingStateHash.ShouldBeNull("the state is spent");
        connected.ExternalAccountId.ShouldBe("T123");
    }

    [Fact]
    public void A_tampered_replayed_or_expired_state_is_refused()
    {
        var pending = Given(Created, Requested());
        Should.Throw<DomainException>(() => When(pending, new CompleteAuthorization("other", "T123", null, [], 1, null, "x", Now)))
            .Code.ShouldBe("invalid_state");
        Should.Throw<DomainException>(() => When(pending, new CompleteAuthorization("h1", "T123", null, [], 1, null, "x", Now.AddMinutes(31))))
            .Code.ShouldBe("authorization_expired");
        var done = Given(Created, Requested(), Authorized());
        Should.Throw<DomainException>(() => When(done, new CompleteAuthorization("h1", "T123", null, [], 2, null, "x", Now.AddMinutes(2))))
            .Code.ShouldBe("invalid_state");
    }

    [Fact]
    public void Direct_credentials_connect_without_a_state()
    {
        var events = When(Given(Created with { AuthKind = "api_key" }), new CompleteAuthorization(null, "acct-9", null, [], 1, null, "key:ik_1", Now));

        events.Single().ShouldBeOfType<ConnectionAuthorized>().ExternalAccountId.ShouldBe("acct-9");
    }

    [Fact]
    public void A_reconnect_keeps_the_connection_and_must_land_in_the_same_account()
    {
        var connected = Given(Created, Requested(), Authorized());
        When(connected, new RequestAuthorization("h2", TimeSpan.FromMinutes(30), "member:m1", Now)).Single()
            .ShouldBeOfType<AuthorizationRequested>().Reconnect.ShouldBeTrue();
        var reconnecting = Given(Created, Requested(), Authorized(), Requested("h2", reconnect: true));

        Should.Throw<DomainException>(() => When(reconnecting, new CompleteAuthorization("h2", "T999", null, [], 2, null, "x", Now.AddMinutes(2))))
            .Code.ShouldBe("account_mismatch");
        When(reconnecting, new CompleteAuthorization("h2", "T123", null, [], 2, null, "x", Now.AddMinutes(2))).Single()
            .ShouldBeOfType<ConnectionAuthorized>().CredentialVersion.ShouldBe(2);
    }

    [Fact]
    public void A_denied_first_authorization_is_an_error_but_a_denied_reconnect_leaves_it_working()
    {
        var first = Given(Created, Requested(), new AuthorizationFailed(Id, Tenant, "access_denied", null, Now));
        first.Status.ShouldBe(ConnectionStatuses.Error);

        var reconnect = Given(Created, Requested(), Authorized(), Requested("h2", true), new AuthorizationFailed(Id, Tenant, "access_denied", null, Now));
        reconnect.Status.ShouldBe(ConnectionStatuses.Connected);
        When(reconnect, new FailAuthorization("h2", "access_denied", null, Now)).ShouldBeEmpty("the state was spent");
    }

    [Fact]
    public void Invalid_grant_needs_reauthorization_once_and_transient_failures_cool_down_without_changing_the_status()
    {
        var connected = Given(Created, Requested(), Authorized());

        var transient = When(connected, new RecordTokenRefreshFailure("timeout", false, Now.AddMinutes(5), Now));
        var cooling = ConnectionDecider.Evolve(connected, transient.Single());
        cooling.Status.ShouldBe(ConnectionStatuses.Connected);
        cooling.RefreshRetryAt.ShouldBe(Now.AddMinutes(5));

        var permanent = When(cooling, new RecordTokenRefreshFailure("invalid_grant", true, null, Now));
        var refused = ConnectionDecider.Evolve(cooling, permanent.Single());
        refused.Status.ShouldBe(ConnectionStatuses.NeedsReauth);
        When(refused, new RecordTokenRefreshFailure("invalid_grant", true, null, Now)).ShouldBeEmpty("told once");
        When(refused, new RecordTokenRefresh(2, null, true, Now)).ShouldBeEmpty("a late refresh does not revive it");
    }

    [Fact]
    public void A_refresh_moves_the_credential_version_and_clears_the_cooldown()
    {
        var cooling = Given(Created, Requested(), Authorized(), new TokenRefreshFailed(Id, Tenant, "timeout", false, Now.AddMinutes(5), Now));

        var refreshed = ConnectionDecider.Evolve(cooling, When(cooling, new RecordTokenRefresh(2, Now.AddHours(13), true, Now)).Single());

        (refreshed.CredentialVersion, refreshed.RefreshRetryAt).ShouldBe((2, (DateTimeOffset?)null));
    }

    [Fact]
    public void Health_failures_disconnect_after_the_threshold_and_a_success_restores_it()
    {
        var state = Given(Created, Requested(), Authorized());
        IReadOnlyList<IConnectionEvent> last = [];
        for (var i = 1; i <= 3; i++)
        {
            last = When(state, new RecordHealthCheck(false, "HTTP 500", 3, Now.AddMinutes(i)));
            state = last.Aggregate(state, ConnectionDecider.Evolve);
        }
        last.OfType<ConnectionDisconnected>().Single().Reason.ShouldBe(DisconnectReasons.HealthCheck);
        state.Status.ShouldBe(ConnectionStatuses.Disconnected);
        When(state, new RecordHealthCheck(false, "HTTP 500", 3, Now.AddMinutes(4))).OfType<ConnectionDisconnected>().ShouldBeEmpty("disconnected once");

        var restored = When(state, new RecordHealthCheck(true, null, 3, Now.AddMinutes(5)));
        restored.Single().ShouldBeOfType<HealthRestored>();
        restored.Aggregate(state, ConnectionDecider.Evolve).Status.ShouldBe(ConnectionStatuses.Connected);
        When(Given(Created, Requested(), Authorized()), new RecordHealthCheck(true, null, 3, Now)).ShouldBeEmpty("a healthy check is no news");
    }

    [Fact]
    public void A_revocation_by_the_provider_disconnects_it_for_good_until_it_is_authorized_again()
    {
        var revoked = Given(Created, Requested(), Authorized(), new ConnectionDisconnected(Id, Tenant, DisconnectReasons.Revoked, "app_uninstalled", Now));

        revoked.Usable.ShouldBeFalse();
        When(revoked, new RecordHealthCheck(true, null, 3, Now)).ShouldBeEmpty("a health check cannot bring back revoked access");
        When(revoked, new RecordRevocation("tokens_revoked", Now)).ShouldBeEmpty();
        ConnectionDecider.Decider.Fold(revoked, Requested("h3", true), Authorized()).Status.ShouldBe(ConnectionStatuses.Connected);
    }

    [Fact]
    public void A_deleted_connection_takes_no_more_commands()
    {
        var deleted = Given(Created, Requested(), Authorized(), new ConnectionDeleted(Id, Tenant, true, "key:ik_1", Now));

        Should.Throw<DomainException>(() => When(deleted, new RecordHealthCheck(true, null, 3, Now))).Code.ShouldBe("connection_not_found");
        Should.Throw<DomainException>(() => When(ConnectionState.None, new DeleteConnection(false, "x", Now))).Code.ShouldBe("connection_not_found");
    }
}

internal static class ConnectionDeciderExtensions
{
    public static ConnectionState Fold(this Decider<ConnectionCommand, ConnectionState, IConnectionEvent> _, ConnectionState state, params IConnectionEvent[] events) =>
        events.Aggregate(state, ConnectionDecider.Evolve);
}
