using Integrations.Domain.Common;

namespace Integrations.Domain.Connectors;

// A connector call: one event sent by one route to its connection's action. Its id is the
// idempotency key the action sends, the same on every attempt and every replay, so a provider that
// honours one never acts twice.

/// <summary>The wire values of a call's status.</summary>
public static class ConnectorCallStatuses
{
    public const string Pending = "pending";
    public const string Succeeded = "succeeded";
    /// <summary>Dead-lettered: no more automatic attempts; replayable by API.</summary>
    public const string Failed = "failed";

    public static readonly IReadOnlyList<string> All = [Pending, Succeeded, Failed];
}

/// <summary>Why an attempt did not succeed (the attempt log's error_kind).</summary>
public static class CallErrorKinds
{
    /// <summary>No complete answer within the timeout.</summary>
    public const string Timeout = "timeout";
    /// <summary>No connection: the name did not resolve, it was refused or reset, TLS failed, the answer was broken.</summary>
    public const string Connection = "connection";
    /// <summary>The provider answered a status that is not a success (see status_code).</summary>
    public const string HttpStatus = "http_status";
    /// <summary>429: the provider asked us to slow down; the next attempt waits as it said.</summary>
    public const string RateLimited = "rate_limited";
    /// <summary>Not sent: the connection's circuit breaker is open; the call waits for it.</summary>
    public const string CircuitOpen = "circuit_open";
    /// <summary>Not sent: a quota of the connection or provider is used up; the call waits for its window's end.</summary>
    public const string QuotaWait = "quota_wait";
    /// <summary>401 or 403 after one renewal of the credentials, or a connection that cannot be used (needs re-authorisation …).</summary>
    public const string Auth = "auth";
    /// <summary>Not sent: the target is an address the SSRF rules refuse.</summary>
    public const string SsrfBlocked = "ssrf_blocked";
    /// <summary>A 2xx answer whose body says the request was refused (Slack's <c>ok: false</c>): not retried.</summary>
    public const string ProviderError = "provider_error";
    /// <summary>A 2xx answer whose body names a passing failure (Slack's <c>internal_error</c>, <c>ratelimited</c>): retried.</summary>
    public const string ProviderBusy = "provider_busy";
    /// <summary>
    /// Not sent: the call's own request succeeded, but its action found in the answer that its work cannot be done
    /// (jira.transition: no transition leads to the status); the row's excerpt says why. Not retried.
    /// </summary>
    public const string FollowUpRefused = "follow_up_refused";

    /// <summary>The kinds of a row that records a wait, not a request.</summary>
    public static bool IsWait(string? kind) => kind is CircuitOpen or QuotaWait;
}

/// <summary>Why a call was dead-lettered (its failure_reason).</summary>
public static class CallFailureReasons
{
    public const string RetriesExhausted = "retries_exhausted";
    /// <summary>The provider refused it with a 4xx that retrying cannot change.</summary>
    public const string Rejected = "rejected";
    public const string AuthFailed = "auth_failed";
    public const string SsrfBlocked = "ssrf_blocked";
    /// <summary>Its connection cannot be used (needs re-authorisation, revoked, deleted).</summary>
    public const string ConnectionUnusable = "connection_unusable";
    /// <summary>Its route's action is not available on this platform any more.</summary>
    public const string ActionUnavailable = "action_unavailable";
    /// <summary>Its request succeeded, but its action refused to go on from the answer (<see cref="CallErrorKinds.FollowUpRefused"/>).</summary>
    public const string FollowUpRefused = "follow_up_refused";
}

/// <summary>What one attempt came to: a status code when the provider answered, an error kind otherwise.</summary>
public sealed record CallAttemptOutcome(int? StatusCode, string? ErrorKind)
{
    public static CallAttemptOutcome Answered(int statusCode) => new(statusCode, statusCode switch
    {
        >= 200 and < 300 => null,
        429 => CallErrorKinds.RateLimited,
        401 or 403 => CallErrorKinds.Auth,
        _ => CallErrorKinds.HttpStatus,
    });

    public static CallAttemptOutcome Failed(string errorKind) => new(null, errorKind);

    /// <summary>A 2xx answer whose body names an error (<see cref="Connections.BodyErrorConvention"/>).</summary>
    public static CallAttemptOutcome RefusedInBody(int statusCode, Connections.BodyError error) => new(statusCode, error.Kind switch
    {
        Connections.BodyErrorKind.Auth => CallErrorKinds.Auth,
        Connections.BodyErrorKind.Retryable => CallErrorKinds.ProviderBusy,
        _ => CallErrorKinds.ProviderError,
    });

    public bool Succeeded => StatusCode is >= 200 and < 300 && ErrorKind is null;

    /// <summary>
    /// Worth another attempt: no answer (timeout, connection), a server error, or 408, 409, 429.
    /// Any other 4xx (and a 3xx: redirects are not followed) says the request itself is wrong.
    /// </summary>
    public bool Retryable => ErrorKind is CallErrorKinds.Timeout or CallErrorKinds.Connection or CallErrorKinds.ProviderBusy || StatusCode is 408 or 409 or 429 or >= 500;

    /// <summary>
    /// Counts as a failure for the connection's circuit breaker: the provider is down or broken (no
    /// answer, 408, 5xx). A 429 means it is up and busy; a 4xx is an answer.
    /// </summary>
    public bool BreaksCircuit => ErrorKind is CallErrorKinds.Timeout or CallErrorKinds.Connection || StatusCode is 408 or >= 500;
}

/// <summary>What happens to a call after its attempts of one run.</summary>
public abstract record CallStep
{
    public sealed record Done : CallStep;

    /// <summary>Due again at <paramref name="At"/> (a long Retry-After, the provider's reset, a quota window, the open circuit).</summary>
    public sealed record WaitUntil(DateTimeOffset At) : CallStep;

    public sealed record DeadLetter(string Reason) : CallStep;
}

/// <summary>The retry rules of connector calls around what the resilience pipeline did in memory.</summary>
public static class ConnectorCallPolicy
{
    /// <summary>The call of an event through a route: the same in every process, so a redelivered event makes no second call.</summary>
    public static Guid CallId(Guid eventId, Guid routeId) => NameBasedGuid.CreateTimeOrdered(eventId, routeId, 1);

    /// <summary>The call that follows a succeeded call (a second request of the same work): named by it, so recording its result twice makes one.</summary>
    public static Guid FollowUpId(Guid callId, Guid routeId) => NameBasedGuid.CreateTimeOrdered(callId, routeId, 2);

    /// <param name="last">The last attempt of the run.</param>
    /// <param name="cycleAttempts">Attempts since the call was created or last replayed, the run's included.</param>
    /// <param name="maxAttempts">Connectors:Retry:MaxAttempts.</param>
    /// <param name="notBefore">When the provider said the next attempt may go (Retry-After, its reset), if it said.</param>
    public static CallStep Next(CallAttemptOutcome last, int cycleAttempts, int maxAttempts, DateTimeOffset? notBefore, DateTimeOffset now)
    {
        if (last.Succeeded) return new CallStep.Done();
        if (!last.Retryable)
        {
            return new CallStep.DeadLetter(last.ErrorKind switch
            {
                CallErrorKinds.Auth => CallFailureReasons.AuthFailed,
                CallErrorKinds.SsrfBlocked => CallFailureReasons.SsrfBlocked,
                _ => CallFailureReasons.Rejected,
            });
        }
        if (cycleAttempts >= maxAttempts) return new CallStep.DeadLetter(CallFailureReasons.RetriesExhausted);
        return new CallStep.WaitUntil(notBefore is { } at && at > now ? at : now);
    }

    /// <summary>Whether a wait the provider asked for is short enough to spend in memory between two attempts of a run.</summary>
    public static bool WaitsInMemory(DateTimeOffset? notBefore, DateTimeOffset now, TimeSpan maxInMemory) =>
        notBefore is not { } at || at - now <= maxInMemory;

    /// <summary>
    /// The URL as the attempt log shows it: scheme, host, port and path, without the query (where
    /// some APIs take keys and tokens) or the fragment.
    /// </summary>
    public static string Summary(Uri url) => url.IsAbsoluteUri ? url.GetLeftPart(UriPartial.Path) : url.OriginalString.Split('?', '#')[0];
}
