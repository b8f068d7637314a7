using Integrations.Domain.Common;
using Integrations.Domain.Connectors;
using Shouldly;

namespace Integrations.Domain.UnitTests.Connectors;

public class RouteDeciderTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 6, 9, 0, 0, TimeSpan.Zero);
    private static readonly Guid Id = Guid.Parse("0193f0a0-0000-7000-8000-0000000000d1");
    private static readonly Guid Tenant = Guid.Parse("0193f0a0-0000-7000-8000-0000000000a1");
    private static readonly Guid Connection = Guid.Parse("0193f0a0-0000-7000-8000-0000000000c1");

    private static CreateRoute Create => new(Id, Tenant, Connection, "Big invoices", ["invoice.paid", "invoice.failed", "invoice.paid"],
        [new RouteCondition("data.amount_cents", "gte", "100000")], "http.request", """{"url":"https://example.com/hook"}""", Now);

    private static RouteState Created => RouteDecider.Decider.Fold(RouteDecider.Decide(Create, RouteState.None));

    [Fact]
    public void A_route_is_created_enabled_with_its_types_normalized_and_its_filter_checked()
    {
        var created = RouteDecider.Decide(Create, RouteState.None).Single().ShouldBeOfType<RouteCreated>();
        created.EventTypes.ShouldBe(["invoice.failed", "invoice.paid"]);
        Created.Enabled.ShouldBeTrue();
        Created.ConnectionId.ShouldBe(Connection);

        Should.Throw<DomainException>(() => RouteDecider.Decide(Create with { EventTypes = ["invoice.lost"] }, RouteState.None)).Code.ShouldBe("unknown_event_type");
        Should.Throw<DomainException>(() => RouteDecider.Decide(Create with { Filter = [new("data.x", "like", "1")] }, RouteState.None)).Code.ShouldBe("invalid_filter");
        Should.Throw<DomainException>(() => RouteDecider.Decide(Create with { Action = " " }, RouteState.None)).Code.ShouldBe("invalid_route");
        Should.Throw<DomainException>(() => RouteDecider.Decide(Create, Created)).Code.ShouldBe("route_exists");
    }

    [Fact]
    public void An_update_merges_and_records_only_what_changed()
    {
        RouteDecider.Decide(new UpdateRoute(null, ["invoice.paid", "invoice.failed"], null, null, null, null, Now), Created).ShouldBeEmpty();

        var events = RouteDecider.Decide(new UpdateRoute("", ["*", "invoice.paid"], [], null, null, false, Now), Created);
        var updated = events[0].ShouldBeOfType<RouteUpdated>();
        updated.Name.ShouldBeNull("an empty name removes it");
        updated.EventTypes.ShouldBe(["*"]);
        updated.Filter.ShouldBeEmpty();
        updated.SettingsJson.ShouldBe(Created.SettingsJson);
        events[1].ShouldBeOfType<RouteDisabled>();

        var disabled = RouteDecider.Decider.Fold([.. RouteDecider.Decide(Create, RouteState.None), .. events]);
        disabled.Enabled.ShouldBeFalse();
        RouteDecider.Decide(new UpdateRoute(null, null, null, null, null, true, Now), disabled).Single().ShouldBeOfType<RouteEnabled>();
    }

    [Fact]
    public void A_deleted_route_is_gone()
    {
        var deleted = RouteDecider.Decider.Fold([.. RouteDecider.Decide(Create, RouteState.None), new RouteDeleted(Id, Tenant, Now)]);
        deleted.Exists.ShouldBeFalse();
        Should.Throw<DomainException>(() => RouteDecider.Decide(new DeleteRoute(Now), deleted)).Code.ShouldBe("route_not_found");
        Should.Throw<DomainException>(() => RouteDecider.Decide(new UpdateRoute("x", null, null, null, null, null, Now), RouteState.None)).Code.ShouldBe("route_not_found");
    }
}
