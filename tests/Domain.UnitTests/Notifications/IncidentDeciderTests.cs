using Integrations.Domain.Common;
using Integrations.Domain.Notifications;
using Shouldly;

namespace Integrations.Domain.UnitTests.Notifications;

public class IncidentDeciderTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 6, 9, 0, 0, TimeSpan.Zero);
    private static readonly Guid Tenant = Guid.Parse("0193f0a0-0000-7000-8000-0000000000a1");
    private static readonly Guid Connection = Guid.Parse("0193f0a0-0000-7000-8000-0000000000c1");
    private static readonly Guid First = Guid.Parse("0193f0a0-0000-7000-8000-0000000000e1");
    private static readonly Guid Second = Guid.Parse("0193f0a0-0000-7000-8000-0000000000e2");

    private static OpenIncident Open(Guid id, DateTimeOffset at) =>
        new(id, Tenant, IncidentKinds.ConnectionNeedsReauth, Connection, "Slack needs re-authorisation", "invalid_grant", at);

    private static IncidentState Run(params IncidentCommand[] commands)
    {
        var state = IncidentState.None;
        foreach (var command in commands)
            state = IncidentDecider.Decide(command, state).Aggregate(state, IncidentDecider.Evolve);
        return state;
    }

    [Fact]
    public void The_first_failure_opens_an_incident_and_later_ones_only_count_while_it_is_open()
    {
        var opened = IncidentDecider.Decide(Open(First, Now), IncidentState.None).Single().ShouldBeOfType<IncidentOpened>();
        opened.IncidentId.ShouldBe(First);

        var open = Run(Open(First, Now));
        var again = IncidentDecider.Decide(Open(Second, Now.AddMinutes(5)), open).Single().ShouldBeOfType<IncidentRecurred>();
        again.IncidentId.ShouldBe(First, "the open incident absorbs the repeat; no second notice");
        Run(Open(First, Now), Open(Second, Now.AddMinutes(5)), Open(Second, Now.AddMinutes(6))).Occurrences.ShouldBe(3);
    }

    [Fact]
    public void Resolving_says_so_once_and_the_next_failure_is_a_new_incident()
    {
        var open = Run(Open(First, Now));
        IncidentDecider.Decide(new ResolveIncident("Slack works again", Now.AddHours(1)), open).Single()
            .ShouldBeOfType<IncidentResolved>().IncidentId.ShouldBe(First);

        var resolved = Run(Open(First, Now), new ResolveIncident("Slack works again", Now.AddHours(1)));
        resolved.Open.ShouldBeFalse();
        resolved.OpenedAt.ShouldBe(Now, "the resolved notice says since when it was broken");
        IncidentDecider.Decide(new ResolveIncident("again", Now.AddHours(2)), resolved).ShouldBeEmpty("nothing is open: no second 'resolved'");
        IncidentDecider.Decide(new ResolveIncident("never opened", Now), IncidentState.None).ShouldBeEmpty();

        var reopened = IncidentDecider.Decide(Open(Second, Now.AddHours(3)), resolved).Single().ShouldBeOfType<IncidentOpened>();
        reopened.IncidentId.ShouldBe(Second);
    }

    [Fact]
    public void A_notice_is_read_once_and_only_a_notice_that_was_sent_can_be_read()
    {
        var open = Run(Open(First, Now));
        IncidentDecider.Decide(new MarkNoticeRead(First, IncidentNotices.Opened, "key:ik_1", Now), open).Single().ShouldBeOfType<IncidentNoticeRead>();
        var read = Run(Open(First, Now), new MarkNoticeRead(First, IncidentNotices.Opened, "key:ik_1", Now));
        IncidentDecider.Decide(new MarkNoticeRead(First, IncidentNotices.Opened, "key:ik_1", Now), read).ShouldBeEmpty("reading twice is idempotent");

        Should.Throw<DomainException>(() => IncidentDecider.Decide(new MarkNoticeRead(First, IncidentNotices.Resolved, "key:ik_1", Now), open))
            .Code.ShouldBe("notification_not_found", "no 'resolved' notice exists while it is open");
        Should.Throw<DomainException>(() => IncidentDecider.Decide(new MarkNoticeRead(Second, IncidentNotices.Opened, "key:ik_1", Now), open))
            .Code.ShouldBe("notification_not_found");
        Should.Throw<DomainException>(() => IncidentDecider.Decide(new MarkNoticeRead(First, "sideways", "key:ik_1", Now), open))
            .Code.ShouldBe("notification_not_found");
    }

    [Fact]
    public void Incidents_of_other_kinds_subjects_or_tenants_live_in_other_streams_and_unknown_kinds_are_refused()
    {
        var key = IncidentDecider.StreamKey(Tenant, IncidentKinds.ConnectionNeedsReauth, Connection);
        IncidentDecider.StreamKey(Tenant, IncidentKinds.ConnectionNeedsReauth, Connection).ShouldBe(key, "stable");
        IncidentDecider.StreamKey(Tenant, IncidentKinds.ConnectionDisconnected, Connection).ShouldNotBe(key);
        IncidentDecider.StreamKey(Guid.NewGuid(), IncidentKinds.ConnectionNeedsReauth, Connection).ShouldNotBe(key);
        IncidentDecider.StreamKey(Tenant, IncidentKinds.ConnectionNeedsReauth, Guid.NewGuid()).ShouldNotBe(key);

        Should.Throw<DomainException>(() => IncidentDecider.Decide(Open(First, Now) with { Kind = "made.up" }, IncidentState.None))
            .Code.ShouldBe("unknown_incident_kind");
    }

    [Fact]
    public void Each_notice_of_an_incident_has_an_id_of_its_own_that_never_changes()
    {
        var opened = IncidentNotices.NoticeId(First, IncidentNotices.Opened);
        var resolved = IncidentNotices.NoticeId(First, IncidentNotices.Resolved);
        opened.ShouldNotBe(resolved);
        IncidentNotices.NoticeId(First, IncidentNotices.Opened).ShouldBe(opened, "a rebuilt read model names the notice as before");
        IncidentNotices.NoticeId(Second, IncidentNotices.Opened).ShouldNotBe(opened);
        new[] { opened, resolved, IncidentNotices.NoticeId(Second, IncidentNotices.Resolved) }.ShouldNotContain(First);
        Should.Throw<ArgumentOutOfRangeException>(() => IncidentNotices.NoticeId(First, "sideways"));
    }
}
