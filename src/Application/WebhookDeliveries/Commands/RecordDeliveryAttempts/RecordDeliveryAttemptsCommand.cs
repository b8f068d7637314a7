using Integrations.Application.Common.EventSourcing;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Messaging;
using Integrations.Application.WebhookEndpoints;
using Integrations.Domain.Webhooks;
using MediatR;

namespace Integrations.Application.WebhookDeliveries.Commands.RecordDeliveryAttempts;

/// <summary>What one HTTP attempt came to, as the dispatcher saw it.</summary>
/// <param name="RetryAfter">The answer's Retry-After, if any (honoured on 429 and 503).</param>
public sealed record DeliveryAttemptResult(
    Guid DeliveryId, Guid TenantId, DateTimeOffset StartedAt, int DurationMs, int? StatusCode, string? ErrorKind, TimeSpan? RetryAfter, string? ResponseBodyExcerpt);

/// <summary>A delivery the dispatcher could not send at all (see <see cref="CancelReasons"/>).</summary>
public sealed record DeliveryCancellation(Guid DeliveryId, Guid TenantId, string Reason);

public sealed record RecordedDeliveryAttempts(int Succeeded, int RetriesScheduled, int DeadLettered, IReadOnlyList<Guid> DisabledEndpoints);

/// <summary>
/// Records a batch of attempt results in one transaction: each delivery's decider decides success,
/// a retry on the schedule or the dead-letter queue; the queue, the delivery log and the endpoint
/// health follow through inline projections; every outcome is published to
/// integrations.webhook-deliveries.v1 through the outbox. An endpoint that answered 410 Gone, or
/// whose attempts have now failed <see cref="WebhookDeliveryOptions.AutoDisableAfterConsecutiveFailures"/>
/// times in a row, is disabled in the same transaction (which tells the tenant, see
/// <see cref="WebhookEndpointDisabler"/>); a REST hook that answered 410 Gone is deleted instead,
/// as RESTHooks.org asks of a subscription whose target is gone (ADR 0022). A late result for a delivery that is no longer
/// pending is ignored by the decider.
/// </summary>
public sealed record RecordDeliveryAttemptsCommand(IReadOnlyList<DeliveryAttemptResult> Attempts, IReadOnlyList<DeliveryCancellation> Cancellations)
    : ICommand<RecordedDeliveryAttempts>;

public sealed class RecordDeliveryAttemptsCommandHandler(
    WebhookDeliveryLedger ledger,
    IOutbox outbox,
    IWebhookEndpointHealthReadModel health,
    IWebhookEndpointReadModel endpoints,
    WebhookEndpointDisabler disabler,
    WebhookEndpointAggregate endpointAggregate,
    WebhookDeliveryOptions options,
    IRequestContext context,
    IClock clock) : IRequestHandler<RecordDeliveryAttemptsCommand, RecordedDeliveryAttempts>
{
    public async Task<RecordedDeliveryAttempts> Handle(RecordDeliveryAttemptsCommand request, CancellationToken cancellationToken)
    {
        var now = clock.UtcNow;
        // A delivery can appear twice (a lease ran out and the same delivery was sent again): its results apply in order.
        var commands = new Dictionary<Guid, (Guid TenantId, List<WebhookDeliveryCommand> Commands)>();
        foreach (var a in request.Attempts)
        {
            var outcome = new AttemptOutcome(a.StatusCode, a.ErrorKind, a.RetryAfter);
            For(commands, a.DeliveryId, a.TenantId).Add(new RecordWebhookAttempt(a.StartedAt, a.DurationMs, outcome, a.ResponseBodyExcerpt,
                options.RetrySchedule, Random.Shared.NextDouble(), now));
        }
        foreach (var c in request.Cancellations) For(commands, c.DeliveryId, c.TenantId).Add(new CancelWebhookDelivery(c.Reason, now));

        var decided = await ledger.HandleAsync(
            commands.Select(c => new StreamCommands<WebhookDeliveryCommand>(WebhookDeliveryDecider.StreamId(c.Key), c.Value.TenantId, c.Value.Commands)).ToList(),
            cancellationToken);

        var outcomes = decided.SelectMany(d => Outcomes(d.State, d.Events, now)).ToList();
        await outbox.EnqueueAsync(outcomes.Select(o => o.ToOutboxMessage(context.CorrelationId)).ToList(), cancellationToken);

        var disabled = await DisableUnhealthyEndpointsAsync(decided.SelectMany(d => d.Events).OfType<WebhookAttemptMade>().ToList(), cancellationToken);
        return new RecordedDeliveryAttempts(
            outcomes.Count(o => o.Status == WebhookDeliveryOutcome.Succeeded),
            outcomes.Count(o => o.Status == WebhookDeliveryOutcome.RetryScheduled),
            outcomes.Count(o => o.Status == WebhookDeliveryOutcome.Failed),
            disabled);
    }

    private static List<WebhookDeliveryCommand> For(Dictionary<Guid, (Guid TenantId, List<WebhookDeliveryCommand> Commands)> commands, Guid deliveryId, Guid tenantId)
    {
        if (!commands.TryGetValue(deliveryId, out var entry)) commands[deliveryId] = entry = (tenantId, []);
        return entry.Commands;
    }

    /// <summary>One outcome per attempt (with what the decider made of it) and one per dead-lettering without an attempt.</summary>
    private static IEnumerable<WebhookDeliveryOutcome> Outcomes(WebhookDeliveryState state, IReadOnlyList<IWebhookDeliveryEvent> events, DateTimeOffset now)
    {
        for (var i = 0; i < events.Count; i++)
        {
            var attempt = events[i] as WebhookAttemptMade;
            // A successful attempt is the success itself; any other attempt is followed by what came of it.
            var next = attempt is null ? events[i] : attempt.Succeeded ? null : events[++i];
            var (status, nextAttemptAt, reason) = next switch
            {
                null => (WebhookDeliveryOutcome.Succeeded, (DateTimeOffset?)null, (string?)null),
                WebhookRetryScheduled r => (WebhookDeliveryOutcome.RetryScheduled, r.NextAttemptAt, null),
                WebhookDeliveryFailed f => (WebhookDeliveryOutcome.Failed, null, f.Reason),
                _ => throw new InvalidOperationException($"Unexpected delivery event {next.GetType().Name} after an attempt."),
            };
            yield return new WebhookDeliveryOutcome(state.DeliveryId, state.EventId, state.EventType, state.TenantId, state.EndpointId, state.IsTest,
                attempt?.Attempt, status, attempt?.StatusCode, attempt?.DurationMs, attempt?.ErrorKind, attempt?.StartedAt, nextAttemptAt, reason, now);
        }
    }

    private async Task<IReadOnlyList<Guid>> DisableUnhealthyEndpointsAsync(IReadOnlyList<WebhookAttemptMade> attempts, CancellationToken ct)
    {
        var disabled = new List<Guid>();
        var deletedHooks = new List<Guid>();
        foreach (var gone in attempts.Where(a => a.StatusCode == 410).DistinctBy(a => a.EndpointId))
        {
            if (await endpoints.FindTargetAsync(gone.TenantId, gone.EndpointId, ct) is not { IsEnabled: true } target) continue;
            if (target.IsHook)
            {
                // Not reported as disabled; listed only so that its failures below do not disable what is gone.
                await endpointAggregate.HandleAsync(gone.TenantId, gone.EndpointId, new DeleteWebhookEndpoint(clock.UtcNow), ct);
                deletedHooks.Add(gone.EndpointId);
                continue;
            }
            await disabler.DisableAsync(gone.TenantId, gone.EndpointId, DisabledReasons.Gone,
                $"The endpoint answered 410 Gone to delivery {gone.DeliveryId}; it asked not to receive more.", ct);
            disabled.Add(gone.EndpointId);
        }

        var failedEndpoints = attempts.Where(a => !a.Succeeded).Select(a => a.EndpointId).Except(disabled).Except(deletedHooks).ToHashSet();
        if (failedEndpoints.Count == 0) return disabled;
        foreach (var failing in await health.FindFailingAsync(failedEndpoints, options.AutoDisableAfterConsecutiveFailures, ct))
        {
            var last = attempts.Last(a => a.EndpointId == failing.EndpointId && !a.Succeeded);
            await disabler.DisableAsync(failing.TenantId, failing.EndpointId, DisabledReasons.ConsecutiveFailures,
                $"{failing.ConsecutiveFailures} consecutive delivery attempts failed; the last one: {Describe(last)}.", ct);
            disabled.Add(failing.EndpointId);
        }
        return disabled;
    }

    private static string Describe(WebhookAttemptMade attempt) =>
        attempt.StatusCode is { } code ? $"HTTP {code}" : attempt.ErrorKind ?? "no answer";
}
