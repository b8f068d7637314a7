using Integrations.Domain.Common;
using Integrations.Domain.Tenants;
using Shouldly;

namespace Integrations.Domain.UnitTests.Tenants;

public class TenantDeciderTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 9, 0, 0, TimeSpan.Zero);
    private static readonly Guid TenantId = Guid.Parse("0193f0a0-0000-7000-8000-000000000001");

    private static TenantState Given(params ITenantEvent[] events) => TenantDecider.Decider.Fold(events);

    private static TenantCreated Created => new(TenantId, "Acme", Plans.Pro, Now);

    [Fact]
    public void Creating_a_tenant_emits_TenantCreated_with_a_trimmed_name()
    {
        var events = TenantDecider.Decide(new CreateTenant(TenantId, "  Acme  ", Plans.Pro, Now), TenantState.None);

        events.ShouldBe([new TenantCreated(TenantId, "Acme", Plans.Pro, Now)]);
    }

    [Fact]
    public void Creating_an_existing_tenant_is_refused()
    {
        var ex = Should.Throw<DomainException>(() => TenantDecider.Decide(new CreateTenant(TenantId, "Again", Plans.Pro, Now), Given(Created)));

        ex.Code.ShouldBe("tenant_exists");
    }

    [Theory]
    [InlineData("gold")]
    [InlineData("Pro")]
    [InlineData("")]
    public void Unknown_plans_are_refused(string plan)
    {
        Should.Throw<DomainException>(() => TenantDecider.Decide(new CreateTenant(TenantId, "Acme", plan, Now), TenantState.None))
            .Code.ShouldBe("invalid_plan");
    }

    [Fact]
    public void Commands_on_a_missing_tenant_are_refused()
    {
        Should.Throw<DomainException>(() => TenantDecider.Decide(new IssueApiKey(Guid.NewGuid(), "ik_x", "hash", Now), TenantState.None))
            .Code.ShouldBe("tenant_not_found");
    }

    [Fact]
    public void Changing_to_the_same_plan_emits_nothing_and_to_another_plan_emits_one_event()
    {
        TenantDecider.Decide(new ChangePlan(Plans.Pro, Now), Given(Created)).ShouldBeEmpty();
        TenantDecider.Decide(new ChangePlan(Plans.Enterprise, Now), Given(Created))
            .ShouldBe([new TenantPlanChanged(TenantId, Plans.Enterprise, Now)]);
    }

    [Fact]
    public void Issuing_and_revoking_a_key_evolves_the_state()
    {
        var keyId = Guid.NewGuid();
        var issued = TenantDecider.Decide(new IssueApiKey(keyId, "ik_abc", "hash", Now), Given(Created)).Single();
        var afterIssue = TenantDecider.Evolve(Given(Created), issued);
        afterIssue.ApiKeys[keyId].Revoked.ShouldBeFalse();

        var revoked = TenantDecider.Decide(new RevokeApiKey(keyId, Now), afterIssue).Single();
        revoked.ShouldBe(new ApiKeyRevoked(TenantId, keyId, Now));
        TenantDecider.Evolve(afterIssue, revoked).ApiKeys[keyId].Revoked.ShouldBeTrue();
    }

    [Fact]
    public void Revoking_twice_is_a_no_op_and_revoking_an_unknown_key_is_refused()
    {
        var keyId = Guid.NewGuid();
        var state = Given(Created, new ApiKeyIssued(TenantId, keyId, "ik_a", "h", Now), new ApiKeyRevoked(TenantId, keyId, Now));

        TenantDecider.Decide(new RevokeApiKey(keyId, Now), state).ShouldBeEmpty();
        Should.Throw<DomainException>(() => TenantDecider.Decide(new RevokeApiKey(Guid.NewGuid(), Now), state)).Code.ShouldBe("api_key_not_found");
    }

    [Fact]
    public void Reissuing_an_existing_key_id_is_refused()
    {
        var keyId = Guid.NewGuid();
        var state = Given(Created, new ApiKeyIssued(TenantId, keyId, "ik_a", "h", Now));

        Should.Throw<DomainException>(() => TenantDecider.Decide(new IssueApiKey(keyId, "ik_b", "h2", Now), state)).Code.ShouldBe("api_key_exists");
    }

    [Fact]
    public void Active_keys_are_capped_but_revoked_keys_do_not_count()
    {
        var events = new List<ITenantEvent> { Created };
        var ids = Enumerable.Range(0, TenantDecider.MaxActiveApiKeys).Select(_ => Guid.NewGuid()).ToList();
        events.AddRange(ids.Select(id => (ITenantEvent)new ApiKeyIssued(TenantId, id, "ik_x", id.ToString(), Now)));
        var full = Given([.. events]);

        Should.Throw<DomainException>(() => TenantDecider.Decide(new IssueApiKey(Guid.NewGuid(), "ik_y", "h", Now), full)).Code.ShouldBe("api_key_limit_reached");

        var afterRevoke = TenantDecider.Evolve(full, new ApiKeyRevoked(TenantId, ids[0], Now));
        TenantDecider.Decide(new IssueApiKey(Guid.NewGuid(), "ik_y", "h", Now), afterRevoke).Count.ShouldBe(1);
    }

    [Fact]
    public void Replaying_a_stream_rebuilds_the_same_state_as_deciding_step_by_step()
    {
        var keyId = Guid.NewGuid();
        var state = TenantState.None;
        var log = new List<ITenantEvent>();
        foreach (var command in new TenantCommand[]
                 {
                     new CreateTenant(TenantId, "Acme", Plans.Starter, Now),
                     new ChangePlan(Plans.Enterprise, Now),
                     new IssueApiKey(keyId, "ik_a", "h", Now),
                     new RevokeApiKey(keyId, Now),
                 })
        {
            var events = TenantDecider.Decide(command, state);
            log.AddRange(events);
            state = events.Aggregate(state, TenantDecider.Evolve);
        }

        var replayed = Given([.. log]);
        replayed.Plan.ShouldBe(Plans.Enterprise);
        replayed.Name.ShouldBe(state.Name);
        replayed.ApiKeys.ShouldBe(state.ApiKeys);
    }
}
