using Integrations.Domain.Connectors;
using Shouldly;

namespace Integrations.Domain.UnitTests.Connectors;

public class ConnectorCallPolicyTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 6, 9, 15, 30, TimeSpan.Zero);

    [Theory]
    [InlineData(200, null)]
    [InlineData(204, null)]
    [InlineData(429, CallErrorKinds.RateLimited)]
    [InlineData(401, CallErrorKinds.Auth)]
    [InlineData(403, CallErrorKinds.Auth)]
    [InlineData(404, CallErrorKinds.HttpStatus)]
    [InlineData(503, CallErrorKinds.HttpStatus)]
    [InlineData(302, CallErrorKinds.HttpStatus)]
    public void An_answer_is_named_by_its_status(int status, string? kind) => CallAttemptOutcome.Answered(status).ErrorKind.ShouldBe(kind);

    [Theory]
    [InlineData(500, true)]
    [InlineData(503, true)]
    [InlineData(408, true)]
    [InlineData(409, true)]
    [InlineData(429, true)]
    [InlineData(400, false)]
    [InlineData(401, false)]
    [InlineData(404, false)]
    [InlineData(422, false)]
    [InlineData(301, false)]
    public void Only_server_errors_and_408_409_429_are_retried(int status, bool retryable) =>
        CallAttemptOutcome.Answered(status).Retryable.ShouldBe(retryable);

    [Theory]
    [InlineData(CallErrorKinds.Timeout, true)]
    [InlineData(CallErrorKinds.Connection, true)]
    [InlineData(CallErrorKinds.SsrfBlocked, false)]
    public void No_answer_is_retried_unless_the_target_was_refused(string kind, bool retryable) =>
        CallAttemptOutcome.Failed(kind).Retryable.ShouldBe(retryable);

    [Theory]
    [InlineData(500, true)]
    [InlineData(408, true)]
    [InlineData(429, false)]
    [InlineData(409, false)]
    [InlineData(404, false)]
    [InlineData(200, false)]
    public void The_circuit_counts_a_provider_that_is_down_not_one_that_is_busy_or_says_no(int status, bool breaks) =>
        CallAttemptOutcome.Answered(status).BreaksCircuit.ShouldBe(breaks);

    [Fact]
    public void A_timeout_and_a_lost_connection_count_for_the_circuit()
    {
        CallAttemptOutcome.Failed(CallErrorKinds.Timeout).BreaksCircuit.ShouldBeTrue();
        CallAttemptOutcome.Failed(CallErrorKinds.Connection).BreaksCircuit.ShouldBeTrue();
    }

    [Fact]
    public void A_success_is_done() => ConnectorCallPolicy.Next(CallAttemptOutcome.Answered(201), 1, 5, null, Now).ShouldBeOfType<CallStep.Done>();

    [Theory]
    [InlineData(400, CallFailureReasons.Rejected)]
    [InlineData(404, CallFailureReasons.Rejected)]
    [InlineData(401, CallFailureReasons.AuthFailed)]
    public void A_4xx_is_dead_lettered_at_once_whatever_the_budget(int status, string reason) =>
        ConnectorCallPolicy.Next(CallAttemptOutcome.Answered(status), 1, 5, null, Now).ShouldBe(new CallStep.DeadLetter(reason));

    [Fact]
    public void A_refused_target_is_dead_lettered() =>
        ConnectorCallPolicy.Next(CallAttemptOutcome.Failed(CallErrorKinds.SsrfBlocked), 1, 5, null, Now)
            .ShouldBe(new CallStep.DeadLetter(CallFailureReasons.SsrfBlocked));

    [Fact]
    public void A_retryable_failure_after_the_last_attempt_is_dead_lettered() =>
        ConnectorCallPolicy.Next(CallAttemptOutcome.Answered(500), 5, 5, null, Now).ShouldBe(new CallStep.DeadLetter(CallFailureReasons.RetriesExhausted));

    [Fact]
    public void A_retryable_failure_with_attempts_left_waits_as_long_as_the_provider_said()
    {
        ConnectorCallPolicy.Next(CallAttemptOutcome.Answered(429), 2, 5, Now.AddMinutes(3), Now).ShouldBe(new CallStep.WaitUntil(Now.AddMinutes(3)));
        ConnectorCallPolicy.Next(CallAttemptOutcome.Answered(503), 2, 5, null, Now).ShouldBe(new CallStep.WaitUntil(Now), "no wait asked: due again now");
        ConnectorCallPolicy.Next(CallAttemptOutcome.Answered(503), 2, 5, Now.AddMinutes(-1), Now).ShouldBe(new CallStep.WaitUntil(Now));
    }

    [Fact]
    public void A_wait_up_to_the_in_memory_limit_is_spent_in_memory()
    {
        ConnectorCallPolicy.WaitsInMemory(null, Now, TimeSpan.FromSeconds(30)).ShouldBeTrue();
        ConnectorCallPolicy.WaitsInMemory(Now.AddSeconds(30), Now, TimeSpan.FromSeconds(30)).ShouldBeTrue();
        ConnectorCallPolicy.WaitsInMemory(Now.AddSeconds(31), Now, TimeSpan.FromSeconds(30)).ShouldBeFalse();
    }

    [Fact]
    public void A_call_is_named_by_its_event_and_route()
    {
        var eventId = Guid.CreateVersion7();
        var route = Guid.NewGuid();
        ConnectorCallPolicy.CallId(eventId, route).ShouldBe(ConnectorCallPolicy.CallId(eventId, route));
        ConnectorCallPolicy.CallId(eventId, route).ShouldNotBe(ConnectorCallPolicy.CallId(eventId, Guid.NewGuid()));
    }

    [Theory]
    [InlineData("https://api.example.com/v1/items?api_key=secret#x", "https://api.example.com/v1/items")]
    [InlineData("http://127.0.0.1:8080/a/b?token=t", "http://127.0.0.1:8080/a/b")]
    public void The_log_shows_a_url_without_its_query(string url, string shown) => ConnectorCallPolicy.Summary(new Uri(url)).ShouldBe(shown);
}
