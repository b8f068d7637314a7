using Integrations.Domain.Scheduling;
using Shouldly;

namespace Integrations.Domain.UnitTests.Scheduling;

public class ScheduleAdmissionTests
{
    private static readonly Guid TenantA = Guid.Parse("0193f0a0-0000-7000-8000-00000000000a");
    private static readonly Guid TenantB = Guid.Parse("0193f0a0-0000-7000-8000-00000000000b");
    private static readonly Guid Connection1 = Guid.Parse("0193f0a0-0000-7000-8000-0000000000c1");
    private static readonly Guid Connection2 = Guid.Parse("0193f0a0-0000-7000-8000-0000000000c2");
    private static readonly RunLimits Roomy = new(100, 100, 100, 100);

    private static IReadOnlyList<RunScope> Admit(IReadOnlyList<RunScope> running, IReadOnlyList<RunScope> due, RunLimits limits, int room = 100) =>
        ScheduleAdmission.Admit(running, due, d => d, limits, room);

    [Fact]
    public void Every_bound_holds_counting_what_already_runs_and_what_this_claim_admits()
    {
        var a1 = new RunScope(TenantA, Connection1, "exact");
        var a2 = new RunScope(TenantA, Connection2, "exact");
        var b = new RunScope(TenantB, null, null);

        Admit([], [a1, a1, a2, b], Roomy with { PerConnection = 1 }).ShouldBe([a1, a2, b]);
        Admit([a1], [a1, a2, b], Roomy with { PerConnection = 1 }).ShouldBe([a2, b], "connection 1 already runs one");
        Admit([], [a1, a2, b], Roomy with { PerProvider = 1 }).ShouldBe([a1, b]);
        Admit([], [a1, a2, b], Roomy with { PerTenant = 1 }).ShouldBe([a1, b]);
        Admit([b], [a1, a2, b], Roomy with { Global = 2 }).ShouldBe([a1]);
        Admit([], [a1, a2, b], Roomy, room: 2).ShouldBe([a1, a2], "this process's room");
        Admit([], [b, b, b], Roomy with { PerConnection = 1, PerProvider = 1 }).Count.ShouldBe(3, "no connection: only the tenant and global bounds apply");
    }

    [Fact]
    public void A_full_tenant_does_not_hold_back_the_schedules_of_others_behind_it()
    {
        var due = Enumerable.Repeat(new RunScope(TenantA, null, null), 50).Append(new RunScope(TenantB, null, null)).ToList();
        var admitted = Admit([], due, Roomy with { PerTenant = 4 });
        admitted.Count(a => a.TenantId == TenantA).ShouldBe(4);
        admitted.ShouldContain(a => a.TenantId == TenantB);
    }
}
