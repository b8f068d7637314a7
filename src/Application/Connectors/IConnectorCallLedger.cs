using Integrations.Application.Common.Listing;
using Integrations.Application.Common.Models;

namespace Integrations.Application.Connectors;

/// <summary>A call the connector pipeline decided: an event for a route, with its prepared request.</summary>
public sealed record NewConnectorCall(
    Guid Id, Guid TenantId, Guid ConnectionId, Guid RouteId, string Provider, string Action, Guid EventId, string EventType, PreparedRequest Request,
    DateTimeOffset CreatedAt);

/// <summary>
/// One call as the attempt log shows it. <see cref="Id"/> is the idempotency key sent with it.
/// <see cref="NextAttemptAt"/> is when it is due while pending; <see cref="FailureReason"/> and
/// <see cref="FailedAt"/> are set while it is dead-lettered (status failed).
/// </summary>
public record ConnectorCallDto(
    Guid Id,
    Guid ConnectionId,
    Guid RouteId,
    string Action,
    Guid EventId,
    string EventType,
    string Status,
    int AttemptCount,
    int? LastStatusCode,
    string? LastErrorKind,
    DateTimeOffset? LastAttemptAt,
    DateTimeOffset? NextAttemptAt,
    string? FailureReason,
    DateTimeOffset? FailedAt,
    DateTimeOffset? SucceededAt,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>What was sent: the method and the URL without its query (never a credential).</summary>
public sealed record CallRequestSummaryDto(string Method, string Url);

/// <summary>
/// One attempt, in the shape of a webhook delivery's attempts (<c>WebhookAttemptDto</c>) plus the
/// request: <see cref="StatusCode"/> when the provider answered, <see cref="ErrorKind"/> otherwise
/// (timeout, connection, http_status, rate_limited, auth, ssrf_blocked). A row with <see cref="Sent"/>
/// false records a wait without a request (circuit_open, quota_wait) and has no <see cref="Attempt"/> number.
/// </summary>
public sealed record ConnectorCallAttemptDto(
    int? Attempt,
    DateTimeOffset StartedAt,
    int DurationMs,
    int? StatusCode,
    string? ResponseBodyExcerpt,
    string? ErrorKind,
    bool Succeeded,
    bool Sent,
    CallRequestSummaryDto Request);

/// <summary>A call with every attempt, oldest first.</summary>
public sealed record ConnectorCallDetailDto : ConnectorCallDto
{
    public ConnectorCallDetailDto(ConnectorCallDto call, IReadOnlyList<ConnectorCallAttemptDto> attempts) : base(call) => Attempts = attempts;

    public IReadOnlyList<ConnectorCallAttemptDto> Attempts { get; }
}

public enum ReplayOutcome
{
    NotFound,

    /// <summary>It was dead-lettered and is due again now, with a fresh retry budget.</summary>
    Replayed,

    /// <summary>It is pending already: nothing to do.</summary>
    AlreadyPending,

    Succeeded,
}

/// <summary>
/// The call ledger (connector_calls and connector_call_attempts): where the connector pipeline
/// writes the calls it decides, and what the API lists and replays.
/// </summary>
public interface IConnectorCallLedger
{
    /// <summary>
    /// Adds the calls in the caller's transaction, ignoring those that exist already (a redelivered
    /// event); the dispatchers are woken once it commits.
    /// </summary>
    /// <returns>How many were new.</returns>
    Task<int> AddAsync(IReadOnlyList<NewConnectorCall> calls, CancellationToken ct);

    /// <summary>A connection's calls, newest first by default, keyset-paginated; status=failed lists its dead letters.</summary>
    Task<CursorPage<ConnectorCallDto>> ListAsync(Guid tenantId, Guid connectionId, ListQuery query, CancellationToken ct);

    Task<ConnectorCallDetailDto?> FindAsync(Guid tenantId, Guid connectionId, Guid callId, CancellationToken ct);

    Task<ReplayOutcome> ReplayAsync(Guid tenantId, Guid connectionId, Guid callId, CancellationToken ct);

    /// <summary>Replays up to <paramref name="limit"/> of the connection's dead letters that failed at or after <paramref name="failedSince"/>, oldest first.</summary>
    /// <returns>How many were replayed.</returns>
    Task<int> ReplayFailedAsync(Guid tenantId, Guid connectionId, DateTimeOffset? failedSince, int limit, CancellationToken ct);
}
