using Integrations.Domain.Common;

namespace Integrations.Domain.Webhooks;

// One event on its way to one endpoint. Its id is the webhook_id the receiver sees: unique per
// (event, endpoint) and the same on every retry, so receivers can deduplicate.

public interface IWebhookDeliveryEvent
{
    Guid DeliveryId { get; }
}

public enum DeliveryStatus { None, Pending, Succeeded, Failed }

public sealed record WebhookDeliveryCreated(
    Guid DeliveryId, Guid TenantId, Guid EndpointId, Guid EventId, string EventType, bool IsTest, DateTimeOffset CreatedAt) : IWebhookDeliveryEvent;

/// <summary>
/// One HTTP attempt. <see cref="ResponseBodyExcerpt"/> is at most the first 1 KiB. An attempt that
/// <see cref="Succeeded"/> is also the delivery's success: no event follows it.
/// </summary>
public sealed record WebhookAttemptMade(
    Guid DeliveryId, Guid TenantId, Guid EndpointId, int Attempt, DateTimeOffset StartedAt, int DurationMs,
    int? StatusCode, string? ResponseBodyExcerpt, string? ErrorKind, bool Succeeded) : IWebhookDeliveryEvent;

/// <summary>
/// How streams written before 2026-11-23 recorded a success, after its successful attempt. Read
/// (an old stream's state and projections), no longer written: the attempt says it alone.
/// </summary>
public sealed record WebhookDeliverySucceeded(Guid DeliveryId, Guid TenantId, Guid EndpointId, DateTimeOffset SucceededAt) : IWebhookDeliveryEvent;

public sealed record WebhookRetryScheduled(Guid DeliveryId, Guid TenantId, Guid EndpointId, DateTimeOffset NextAttemptAt) : IWebhookDeliveryEvent;

/// <summary>Dead-lettered: no more automatic attempts. Replayable by a retry or a recover.</summary>
public sealed record WebhookDeliveryFailed(Guid DeliveryId, Guid TenantId, Guid EndpointId, string Reason, DateTimeOffset FailedAt) : IWebhookDeliveryEvent;

public sealed record WebhookDeliveryRequeued(Guid DeliveryId, Guid TenantId, Guid EndpointId, string RequestedBy, DateTimeOffset RequeuedAt) : IWebhookDeliveryEvent;

public abstract record WebhookDeliveryCommand;

public sealed record CreateWebhookDelivery(
    Guid DeliveryId, Guid TenantId, Guid EndpointId, Guid EventId, string EventType, bool IsTest, DateTimeOffset Now) : WebhookDeliveryCommand;

/// <param name="Random">In [0, 1): picks the retry jitter.</param>
public sealed record RecordWebhookAttempt(
    DateTimeOffset StartedAt, int DurationMs, AttemptOutcome Outcome, string? ResponseBodyExcerpt,
    IReadOnlyList<TimeSpan> Schedule, double Random, DateTimeOffset Now) : WebhookDeliveryCommand;

public sealed record RequeueWebhookDelivery(string RequestedBy, DateTimeOffset Now) : WebhookDeliveryCommand;

/// <summary>
/// Dead-letters a pending delivery without an attempt, because it can no longer be sent: its
/// endpoint was deleted, or its event is not the tenant's (see <see cref="CancelReasons"/>).
/// </summary>
public sealed record CancelWebhookDelivery(string Reason, DateTimeOffset Now) : WebhookDeliveryCommand;

/// <summary>Why a delivery was dead-lettered without (another) attempt.</summary>
public static class CancelReasons
{
    public const string EndpointDeleted = "endpoint_deleted";
    public const string EventNotFound = "event_not_found";
}

public sealed record WebhookDeliveryState(
    Guid DeliveryId, Guid TenantId, Guid EndpointId, Guid EventId, string EventType, bool IsTest,
    DeliveryStatus Status, int Attempts, int AttemptsThisCycle, DateTimeOffset CreatedAt)
{
    public static readonly WebhookDeliveryState None = new(Guid.Empty, Guid.Empty, Guid.Empty, Guid.Empty, "", false, DeliveryStatus.None, 0, 0, default);
}

public static class WebhookDeliveryDecider
{
    public const int MaxResponseExcerptChars = 1024;

    public static readonly Decider<WebhookDeliveryCommand, WebhookDeliveryState, IWebhookDeliveryEvent> Decider =
        new(Decide, Evolve, WebhookDeliveryState.None);

    public static string StreamId(Guid deliveryId) => $"webhook_delivery-{deliveryId:N}";

    /// <summary>
    /// The delivery (webhook_id) of an event to an endpoint: named by both ids, so every process
    /// computes the same id for the same pair, and ordered by the event's time, so a delivery's
    /// rows are written at the end of their indexes (see <see cref="NameBasedGuid.CreateTimeOrdered"/>).
    /// </summary>
    public static Guid DeliveryId(Guid eventId, Guid endpointId) => NameBasedGuid.CreateTimeOrdered(eventId, endpointId);

    public static IReadOnlyList<IWebhookDeliveryEvent> Decide(WebhookDeliveryCommand command, WebhookDeliveryState state) => command switch
    {
        // Fan-out redelivered by Kafka lands here: the delivery exists already, nothing to do.
        CreateWebhookDelivery when state.Status != DeliveryStatus.None => [],
        CreateWebhookDelivery c => [new WebhookDeliveryCreated(c.DeliveryId, c.TenantId, c.EndpointId, c.EventId, c.EventType, c.IsTest, c.Now)],
        _ when state.Status == DeliveryStatus.None => throw new DomainException("webhook_delivery_not_found", "The delivery does not exist."),
        // A late result for a delivery that already finished (a worker that lost its lease) changes nothing.
        RecordWebhookAttempt when state.Status != DeliveryStatus.Pending => [],
        RecordWebhookAttempt c => Attempt(c, state),
        RequeueWebhookDelivery when state.Status == DeliveryStatus.Pending => [],
        RequeueWebhookDelivery when state.Status == DeliveryStatus.Succeeded =>
            throw new DomainException("webhook_delivery_succeeded", "The delivery succeeded; there is nothing to retry."),
        RequeueWebhookDelivery c => [new WebhookDeliveryRequeued(state.DeliveryId, state.TenantId, state.EndpointId, c.RequestedBy, c.Now)],
        CancelWebhookDelivery when state.Status != DeliveryStatus.Pending => [],
        CancelWebhookDelivery c => [new WebhookDeliveryFailed(state.DeliveryId, state.TenantId, state.EndpointId, c.Reason, c.Now)],
        _ => throw new ArgumentOutOfRangeException(nameof(command), command.GetType().Name, "Unknown webhook delivery command."),
    };

    public static WebhookDeliveryState Evolve(WebhookDeliveryState state, IWebhookDeliveryEvent @event) => @event switch
    {
        WebhookDeliveryCreated e => new WebhookDeliveryState(e.DeliveryId, e.TenantId, e.EndpointId, e.EventId, e.EventType, e.IsTest,
            DeliveryStatus.Pending, 0, 0, e.CreatedAt),
        WebhookAttemptMade a => state with
        {
            Attempts = state.Attempts + 1,
            AttemptsThisCycle = state.AttemptsThisCycle + 1,
            Status = a.Succeeded ? DeliveryStatus.Succeeded : state.Status,
        },
        WebhookDeliverySucceeded => state with { Status = DeliveryStatus.Succeeded },
        WebhookDeliveryFailed => state with { Status = DeliveryStatus.Failed },
        WebhookDeliveryRequeued => state with { Status = DeliveryStatus.Pending, AttemptsThisCycle = 0 },
        _ => state,
    };

    private static IReadOnlyList<IWebhookDeliveryEvent> Attempt(RecordWebhookAttempt c, WebhookDeliveryState state)
    {
        var attempt = state.AttemptsThisCycle + 1;
        var excerpt = c.ResponseBodyExcerpt is { Length: > MaxResponseExcerptChars } text ? text[..MaxResponseExcerptChars] : c.ResponseBodyExcerpt;
        var made = new WebhookAttemptMade(state.DeliveryId, state.TenantId, state.EndpointId, state.Attempts + 1, c.StartedAt, c.DurationMs,
            c.Outcome.StatusCode, excerpt, c.Outcome.ErrorKind, c.Outcome.Succeeded);
        return RetryPolicy.Next(attempt, c.Outcome, c.Schedule, c.Now, c.Random) switch
        {
            // The successful attempt is the success: one event, one row in the log.
            NextStep.Done => [made],
            NextStep.RetryAt r => [made, new WebhookRetryScheduled(state.DeliveryId, state.TenantId, state.EndpointId, r.At)],
            NextStep.DeadLetter d => [made, new WebhookDeliveryFailed(state.DeliveryId, state.TenantId, state.EndpointId, d.Reason, c.Now)],
            _ => throw new InvalidOperationException("Unknown retry step."),
        };
    }
}
