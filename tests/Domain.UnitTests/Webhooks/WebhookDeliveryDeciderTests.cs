using Integrations.Domain.Common;
using Integrations.Domain.Webhooks;
using Shouldly;

namespace Integrations.Domain.UnitTests.Webhooks;

public class WebhookDeliveryDeciderTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 9, 0, 0, TimeSpan.Zero);
    private static readonly Guid Tenant = Guid.Parse("0193a5f0-1c2d-7e3f-8a4b-5c6d7e8f9a0b");
    private static readonly Guid Endpoint = Guid.Parse("0193a5f2-6c1e-7a44-9b1d-3f0e8c2a7d51");
    private static readonly Guid Event = Guid.Parse("0193a5f3-4d5e-7f60-8172-93a4b5c6d7e8");
    private static readonly Guid Delivery = WebhookDeliveryDecider.DeliveryId(Event, Endpoint);
    private static readonly IReadOnlyList<TimeSpan> Schedule = [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)];

    private static readonly WebhookDeliveryCreated Created = new(Delivery, Tenant, Endpoint, Event, "invoice.paid", false, Now);

    private static IReadOnlyList<IWebhookDeliveryEvent> Decide(WebhookDeliveryCommand command, params IWebhookDeliveryEvent[] history) =>
        WebhookDeliveryDecider.Decide(command, WebhookDeliveryDecider.Decider.Fold(history));

    private static RecordWebhookAttempt Attempt(int status) =>
        new(Now, 12, new AttemptOutcome(status, null, null), "ok", Schedule, 0.5, Now);

    [Fact]
    public void The_delivery_id_is_the_same_for_the_same_event_and_endpoint_and_differs_otherwise()
    {
        WebhookDeliveryDecider.DeliveryId(Event, Endpoint).ShouldBe(Delivery);
        WebhookDeliveryDecider.DeliveryId(Endpoint, Event).ShouldNotBe(Delivery);
        WebhookDeliveryDecider.DeliveryId(Event, Guid.NewGuid()).ShouldNotBe(Delivery);
        Delivery.Version.ShouldBe(8);
        (Delivery.Variant >> 2).ShouldBe(0b10, "the RFC 9562 variant");
    }

    [Fact]
    public void Delivery_ids_sort_by_the_time_of_their_event()
    {
        // The first 48 bits are the event's UUIDv7 timestamp, so later events' deliveries sort after
        // earlier ones' (in PostgreSQL's uuid order and in the text of their stream ids) whatever the endpoint.
        Delivery.ToString("N")[..12].ShouldBe(Event.ToString("N")[..12]);
        var earlier = Guid.CreateVersion7(Now);
        var later = Guid.CreateVersion7(Now.AddMilliseconds(1));
        for (var i = 0; i < 50; i++)
        {
            var first = WebhookDeliveryDecider.DeliveryId(earlier, Guid.NewGuid());
            var second = WebhookDeliveryDecider.DeliveryId(later, Guid.NewGuid());
            string.CompareOrdinal(WebhookDeliveryDecider.StreamId(first), WebhookDeliveryDecider.StreamId(second)).ShouldBeLessThan(0);
            first.CompareTo(second).ShouldBeLessThan(0);
        }
    }

    [Fact]
    public void Name_based_ids_are_stable_across_runs()
    {
        // Fixed by the algorithm, not by this process: every Workers instance must compute the same
        // id for a redelivered message, and a receiver deduplicates on it.
        Delivery.ShouldBe(Guid.Parse("0193a5f3-4d5e-881e-9bee-61e5e6d7b450"));
        NameBasedGuid.Create(Delivery, Endpoint, 1).ShouldNotBe(NameBasedGuid.Create(Delivery, Endpoint, 2));
        NameBasedGuid.CreateTimeOrdered(Delivery, Endpoint, 1).ShouldNotBe(NameBasedGuid.CreateTimeOrdered(Delivery, Endpoint, 2));
    }

    [Fact]
    public void Creating_an_existing_delivery_changes_nothing()
    {
        var create = new CreateWebhookDelivery(Delivery, Tenant, Endpoint, Event, "invoice.paid", false, Now);
        Decide(create).ShouldBe([Created]);
        Decide(create, Created).ShouldBeEmpty();
    }

    [Fact]
    public void A_failed_attempt_schedules_the_retry_and_the_last_one_dead_letters()
    {
        var first = Decide(Attempt(500), Created);
        first[0].ShouldBeOfType<WebhookAttemptMade>().Attempt.ShouldBe(1);
        first[1].ShouldBe(new WebhookRetryScheduled(Delivery, Tenant, Endpoint, Now.AddSeconds(1)));

        IWebhookDeliveryEvent[] history = [Created, .. first, .. Decide(Attempt(500), [Created, .. first])];
        var last = Decide(Attempt(500), history);
        last[1].ShouldBe(new WebhookDeliveryFailed(Delivery, Tenant, Endpoint, "retries_exhausted", Now));
    }

    [Fact]
    public void A_successful_attempt_is_the_success_itself_and_a_late_result_after_it_changes_nothing()
    {
        var succeeded = Decide(Attempt(204), Created);

        succeeded.ShouldHaveSingleItem().ShouldBeOfType<WebhookAttemptMade>().Succeeded.ShouldBeTrue();
        var state = WebhookDeliveryDecider.Decider.Fold([Created, .. succeeded]);
        state.Status.ShouldBe(DeliveryStatus.Succeeded);
        state.Attempts.ShouldBe(1);
        Decide(Attempt(200), [Created, .. succeeded]).ShouldBeEmpty();
    }

    [Fact]
    public void A_stream_written_before_with_a_separate_success_event_reads_the_same()
    {
        var attempt = Decide(Attempt(200), Created).Single();
        IWebhookDeliveryEvent[] written = [Created, attempt, new WebhookDeliverySucceeded(Delivery, Tenant, Endpoint, Now)];

        WebhookDeliveryDecider.Decider.Fold(written).ShouldBe(WebhookDeliveryDecider.Decider.Fold([Created, attempt]));
        Should.Throw<DomainException>(() => Decide(new RequeueWebhookDelivery("tenant:x", Now), written)).Code.ShouldBe("webhook_delivery_succeeded");
    }

    [Fact]
    public void A_pending_delivery_can_be_cancelled_once_and_a_finished_one_not_at_all()
    {
        var cancel = new CancelWebhookDelivery(CancelReasons.EndpointDeleted, Now);
        var cancelled = Decide(cancel, Created);
        cancelled.ShouldBe([new WebhookDeliveryFailed(Delivery, Tenant, Endpoint, CancelReasons.EndpointDeleted, Now)]);
        Decide(cancel, [Created, .. cancelled]).ShouldBeEmpty();

        var succeeded = Decide(Attempt(200), Created);
        Decide(cancel, [Created, .. succeeded]).ShouldBeEmpty();
    }

    [Fact]
    public void A_late_result_for_a_finished_delivery_is_ignored_and_a_requeue_gives_a_full_schedule()
    {
        var cancelled = Decide(new CancelWebhookDelivery(CancelReasons.EventNotFound, Now), Created);
        Decide(Attempt(200), [Created, .. cancelled]).ShouldBeEmpty();

        var requeued = Decide(new RequeueWebhookDelivery("tenant:x", Now), [Created, .. cancelled]);
        requeued.ShouldHaveSingleItem().ShouldBeOfType<WebhookDeliveryRequeued>();
        var retry = Decide(Attempt(500), [Created, .. cancelled, .. requeued]);
        retry[1].ShouldBeOfType<WebhookRetryScheduled>("the requeued delivery starts its schedule again");
    }

    [Fact]
    public void Commands_for_a_delivery_that_does_not_exist_are_refused()
    {
        Should.Throw<DomainException>(() => Decide(new CancelWebhookDelivery(CancelReasons.EndpointDeleted, Now)))
            .Code.ShouldBe("webhook_delivery_not_found");
    }
}
