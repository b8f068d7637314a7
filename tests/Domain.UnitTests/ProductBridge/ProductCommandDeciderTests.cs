using Integrations.Domain.Common;
using Integrations.Domain.ProductBridge;
using Shouldly;

namespace Integrations.Domain.UnitTests.ProductBridge;

public class ProductCommandDeciderTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 9, 0, 0, TimeSpan.Zero);
    private static readonly Guid Id = Guid.Parse("0193f2c4-7a1e-7c3d-9b2a-4e5f6a7b8c9d");
    private static readonly Guid Tenant = Guid.Parse("0193f0a0-0000-7000-8000-0000000000a1");

    private static readonly IssueProductCommand Issue = new(Id, Tenant, "entity.update", new EntityTarget("task", "T-1"), """{"attributes":{"status":"done"}}""",
        new CommandOrigin(null, "jira", "PROJ-7"), "corr-1", "cause-1", Now);

    private static ProductCommandState Given(params IProductCommandEvent[] events) => ProductCommandDecider.Decider.Fold(events);

    private static ProductCommandIssued Issued => (ProductCommandIssued)ProductCommandDecider.Decide(Issue, ProductCommandState.None).Single();

    [Fact]
    public void A_command_is_issued_as_given_and_is_published_until_its_callback_answers()
    {
        Issued.ShouldBe(new ProductCommandIssued(Id, Tenant, "entity.update", new EntityTarget("task", "T-1"), """{"attributes":{"status":"done"}}""",
            new CommandOrigin(null, "jira", "PROJ-7"), "corr-1", "cause-1", Now));
        Given(Issued).Status.ShouldBe(ProductCommandStatuses.Published);
    }

    [Fact]
    public void The_same_id_again_issues_nothing()
    {
        ProductCommandDecider.Decide(Issue with { CorrelationId = "corr-2", Now = Now.AddMinutes(1) }, Given(Issued)).ShouldBeEmpty();
    }

    [Fact]
    public void The_first_callback_outcome_stands_and_a_redelivered_one_changes_nothing()
    {
        var delivered = ProductCommandDecider.Decide(new RecordCallbackOutcome(true, 2, 200, null, Now.AddSeconds(3)), Given(Issued)).Single();

        delivered.ShouldBe(new ProductCommandCallbackDelivered(Id, Tenant, 2, 200, Now.AddSeconds(3)));
        Given(Issued, delivered).Status.ShouldBe(ProductCommandStatuses.Delivered);
        ProductCommandDecider.Decide(new RecordCallbackOutcome(false, 1, 503, null, Now.AddSeconds(9)), Given(Issued, delivered)).ShouldBeEmpty();
    }

    [Fact]
    public void A_failed_callback_keeps_its_last_answer_or_why_there_was_none()
    {
        var failed = ProductCommandDecider.Decide(new RecordCallbackOutcome(false, 0, null, "circuit_open", Now), Given(Issued)).Single();

        failed.ShouldBe(new ProductCommandCallbackFailed(Id, Tenant, 0, null, "circuit_open", Now));
        Given(Issued, failed).Status.ShouldBe(ProductCommandStatuses.CallbackFailed);
    }

    [Fact]
    public void No_outcome_for_a_command_that_was_never_issued_nor_a_delivery_without_a_status()
    {
        Should.Throw<DomainException>(() => ProductCommandDecider.Decide(new RecordCallbackOutcome(true, 1, 200, null, Now), ProductCommandState.None))
            .Code.ShouldBe("product_command_not_found");
        Should.Throw<DomainException>(() => ProductCommandDecider.Decide(new RecordCallbackOutcome(true, 1, null, null, Now), Given(Issued)))
            .Code.ShouldBe("invalid_outcome");
    }
}
