using Integrations.Domain.Common;
using Integrations.Domain.Events;
using Integrations.Domain.EventTypes;
using Shouldly;

namespace Integrations.Domain.UnitTests.Events;

public class IngestedEventDeciderTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 9, 0, 0, TimeSpan.Zero);
    private static readonly Guid EventId = Guid.NewGuid();
    private static readonly Guid TenantId = Guid.NewGuid();

    private static AcceptEvent Accept(string type = "invoice.paid") => new(EventId, TenantId, type, """{"invoice_id":"in_1"}""", Now);

    [Fact]
    public void A_known_event_type_is_accepted_verbatim()
    {
        IngestedEventDecider.Decide(Accept(), IngestedEventState.None)
            .ShouldBe([new EventAccepted(EventId, TenantId, "invoice.paid", """{"invoice_id":"in_1"}""", Now)]);
    }

    [Theory]
    [InlineData("invoice.refunded")]
    [InlineData("INVOICE.PAID")]
    [InlineData("")]
    public void Unknown_event_types_are_refused(string type)
    {
        Should.Throw<DomainException>(() => IngestedEventDecider.Decide(Accept(type), IngestedEventState.None)).Code.ShouldBe("unknown_event_type");
    }

    [Fact]
    public void An_event_is_accepted_once()
    {
        var state = IngestedEventDecider.Decider.Fold(IngestedEventDecider.Decide(Accept(), IngestedEventState.None));

        Should.Throw<DomainException>(() => IngestedEventDecider.Decide(Accept(), state)).Code.ShouldBe("event_exists");
    }

    [Fact]
    public void Dispatching_is_idempotent_so_a_redelivered_message_changes_nothing()
    {
        var accepted = IngestedEventDecider.Decider.Fold(IngestedEventDecider.Decide(Accept(), IngestedEventState.None));

        var first = IngestedEventDecider.Decide(new MarkDispatched(Now), accepted);
        first.ShouldBe([new EventDispatched(EventId, TenantId, Now)]);

        var dispatched = first.Aggregate(accepted, IngestedEventDecider.Evolve);
        dispatched.Status.ShouldBe(IngestedEventStatus.Dispatched);
        IngestedEventDecider.Decide(new MarkDispatched(Now.AddSeconds(1)), dispatched).ShouldBeEmpty();
    }

    [Fact]
    public void Dispatching_an_unknown_event_is_refused()
    {
        Should.Throw<DomainException>(() => IngestedEventDecider.Decide(new MarkDispatched(Now), IngestedEventState.None)).Code.ShouldBe("event_not_found");
    }

    [Fact]
    public void The_catalog_follows_resource_dot_action_naming_and_has_no_duplicates()
    {
        EventTypeCatalog.All.Count(t => t.Source == EventSource.Product).ShouldBe(12);
        EventTypeCatalog.All.Where(t => t.Source == EventSource.Platform).Select(t => t.Name)
            .ShouldBe([EventTypeCatalog.WebhookEndpointDisabled, EventTypeCatalog.InboundReceived, EventTypeCatalog.SyncItemReceived]);
        EventTypeCatalog.All.Select(t => t.Name).Distinct().Count().ShouldBe(EventTypeCatalog.All.Count);
        EventTypeCatalog.All.ShouldAllBe(t => System.Text.RegularExpressions.Regex.IsMatch(t.Name, "^[a-z_]+\\.[a-z_]+$"));
    }
}
