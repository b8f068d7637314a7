using Integrations.Domain.Webhooks;
using Shouldly;

namespace Integrations.Domain.UnitTests.Webhooks;

public class EndpointCircuitTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 9, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan ProbeWait = TimeSpan.FromSeconds(11);
    private static readonly CircuitBreakerSettings Settings = new(10, TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(5));

    private static CircuitDecision Decide(int failures, DateTimeOffset? lastFailureAt, DateTimeOffset? probeSentAt = null, CircuitBreakerSettings? settings = null,
        int probesSent = 0) =>
        EndpointCircuit.Decide(settings ?? Settings, failures, lastFailureAt, probesSent, probeSentAt, Now, ProbeWait);

    [Theory]
    [InlineData(0)]
    [InlineData(9)]
    public void Below_the_threshold_the_circuit_is_closed(int failures) =>
        Decide(failures, Now.AddMilliseconds(-1)).ShouldBe(new CircuitDecision.Closed());

    [Fact]
    public void At_the_threshold_the_endpoint_waits_for_the_open_period_from_its_last_failure() =>
        Decide(10, Now.AddSeconds(-2)).ShouldBe(new CircuitDecision.Wait(Now.AddSeconds(3)));

    [Fact]
    public void After_the_open_period_one_probe_goes() =>
        Decide(10, Now.AddSeconds(-5)).ShouldBe(new CircuitDecision.Probe());

    [Fact]
    public void While_the_probe_is_out_the_others_wait_for_its_answer_and_a_lost_probe_is_replaced()
    {
        var failedAt = Now.AddSeconds(-20);
        Decide(10, failedAt, probeSentAt: Now.AddSeconds(-4), probesSent: 1).ShouldBe(new CircuitDecision.Wait(Now.AddSeconds(7)));
        // No answer within the probe wait (its instance died, say): another probe.
        Decide(10, failedAt, probeSentAt: Now.AddSeconds(-11), probesSent: 1).ShouldBe(new CircuitDecision.Probe());
    }

    [Fact]
    public void A_failed_probe_opens_the_circuit_for_twice_as_long_and_a_probe_sent_before_the_last_failure_is_not_waited_for()
    {
        // The probe was sent at -1 s and failed (the 11th failure) at -0.5 s: open for 10 s from then.
        Decide(11, Now.AddSeconds(-0.5), probeSentAt: Now.AddSeconds(-1), probesSent: 1).ShouldBe(new CircuitDecision.Wait(Now.AddSeconds(9.5)));
        Decide(11, Now.AddSeconds(-10), probeSentAt: Now.AddSeconds(-10.5), probesSent: 1).ShouldBe(new CircuitDecision.Probe());
    }

    [Fact]
    public void Failures_of_requests_already_in_flight_when_the_circuit_opened_move_its_start_but_do_not_lengthen_it() =>
        // 40 failures, the last 1 s ago, no probe sent yet: open for 5 s from the last failure, not for 5 s doubled 30 times.
        Decide(40, Now.AddSeconds(-1)).ShouldBe(new CircuitDecision.Wait(Now.AddSeconds(4)));

    [Fact]
    public void The_open_period_doubles_per_failed_probe_up_to_the_maximum()
    {
        EndpointCircuit.OpenPeriod(Settings, 0).ShouldBe(TimeSpan.FromSeconds(5));
        EndpointCircuit.OpenPeriod(Settings, 3).ShouldBe(TimeSpan.FromSeconds(40));
        EndpointCircuit.OpenPeriod(Settings, 6).ShouldBe(TimeSpan.FromSeconds(300));
        EndpointCircuit.OpenPeriod(Settings, 1_000_000).ShouldBe(TimeSpan.FromMinutes(5));
    }

    [Fact]
    public void A_threshold_of_zero_turns_the_breaker_off() =>
        Decide(1_000, Now, settings: Settings with { FailureThreshold = 0 }).ShouldBe(new CircuitDecision.Closed());

    [Fact]
    public void A_streak_without_a_failure_time_is_closed() =>
        Decide(10, null).ShouldBe(new CircuitDecision.Closed());

    [Fact]
    public void The_status_names_the_state_and_when_the_next_probe_may_go()
    {
        EndpointCircuit.Status(Settings, 9, Now.AddSeconds(-1), 0, null, Now, ProbeWait).ShouldBe(new CircuitStatus(CircuitState.Closed, null, null));
        EndpointCircuit.Status(Settings, 10, Now.AddSeconds(-2), 0, null, Now, ProbeWait).ShouldBe(new CircuitStatus(CircuitState.Open, Now.AddSeconds(3), null));
        // Open period over, no probe out: the next due delivery is the probe.
        EndpointCircuit.Status(Settings, 10, Now.AddSeconds(-5), 0, null, Now, ProbeWait).ShouldBe(new CircuitStatus(CircuitState.HalfOpen, null, null));
        // A probe out: half-open until its answer, or until another probe replaces it.
        var sent = Now.AddSeconds(-4);
        EndpointCircuit.Status(Settings, 10, Now.AddSeconds(-20), 1, sent, Now, ProbeWait).ShouldBe(new CircuitStatus(CircuitState.HalfOpen, Now.AddSeconds(7), sent));
        // Off: closed whatever the streak.
        EndpointCircuit.Status(Settings with { FailureThreshold = 0 }, 500, Now, 0, null, Now, ProbeWait).State.ShouldBe(CircuitState.Closed);
    }
}

