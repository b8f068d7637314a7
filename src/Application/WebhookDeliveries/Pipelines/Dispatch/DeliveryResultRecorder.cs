using System.Threading.Channels;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Pipelines;
using Integrations.Application.WebhookDeliveries.Commands.RecordDeliveryAttempts;
using Integrations.Domain.Webhooks;
using MediatR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Integrations.Application.WebhookDeliveries.Pipelines.Dispatch;

/// <summary>
/// A delivery done with: an attempt's result, a reason to dead-letter it without one, or the
/// time it is due again when given back unsent.
/// </summary>
/// <param name="ReleasesHeldOf">The endpoint, when the delivery went although its circuit was not closed: its success releases what the circuit holds.</param>
public sealed record CompletedDelivery(Guid DeliveryId, Guid TenantId, SendResult? Result, string? CancelReason, DateTimeOffset? ReleaseAt,
    Guid? ReleasesHeldOf = null);

/// <summary>
/// The record step: completed deliveries go through a channel to <see cref="ResultWriters"/> writers
/// that record them in batches of up to <see cref="WebhookDispatcherOptions.ResultBatchSize"/>, each
/// batch one <see cref="RecordDeliveryAttemptsCommand"/> (one transaction: the attempts, the next
/// step of each delivery, the endpoints' health, the outcome messages), as the actor
/// <see cref="Actor"/>. Deliveries given back unsent are rescheduled in the queue directly, and a
/// successful probe or test releases what its endpoint's circuit held.
/// </summary>
public sealed class DeliveryResultRecorder(
    IWebhookDeliveryClaims claims,
    IWorkScopeFactory scopes,
    DispatchState state,
    WebhookDispatcherOptions options,
    ILogger<DeliveryResultRecorder> logger)
{
    public const string Actor = "worker:webhook-dispatcher";
    private const int ResultWriters = 2;
    private const int RecordAttempts = 3;
    private static readonly TimeSpan ErrorDelay = TimeSpan.FromSeconds(1);

    private readonly Channel<CompletedDelivery> _results = Channel.CreateUnbounded<CompletedDelivery>();

    public void Add(CompletedDelivery completed) => _results.Writer.TryWrite(completed);

    /// <summary>Starts the writers; they return once <see cref="Complete"/> was called and everything added is written.</summary>
    public IReadOnlyList<Task> StartWriters() =>
        Enumerable.Range(0, ResultWriters).Select(_ => Task.Run(WriteResultsAsync, CancellationToken.None)).ToList();

    /// <summary>Nothing more will be added.</summary>
    public void Complete() => _results.Writer.TryComplete();

    private async Task WriteResultsAsync()
    {
        var batch = new List<CompletedDelivery>(options.ResultBatchSize);
        while (await _results.Reader.WaitToReadAsync(CancellationToken.None))
        {
            while (batch.Count < options.ResultBatchSize && _results.Reader.TryRead(out var completed)) batch.Add(completed);
            await RecordAsync(batch);
            batch.Clear();
        }
    }

    /// <summary>
    /// Records a batch, retrying transient failures; a batch that keeps failing is recorded one
    /// result at a time so one bad result cannot hold back the others. A result that cannot be
    /// recorded is dropped: its lease runs out and the delivery is sent again (same webhook_id).
    /// </summary>
    private async Task RecordAsync(List<CompletedDelivery> batch)
    {
        for (var attempt = 1; attempt <= RecordAttempts; attempt++)
        {
            try
            {
                await SendRecordAsync(batch);
                return;
            }
            catch (Exception ex) when (!state.Aborted)
            {
                logger.LogWarning(ex, "Recording {Count} webhook results failed (attempt {Attempt} of {Max})", batch.Count, attempt, RecordAttempts);
                await Task.Delay(ErrorDelay * attempt, state.Aborting).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
            catch (Exception) when (state.Aborted)
            {
                return;
            }
        }
        if (batch.Count == 1) return;
        foreach (var single in batch)
        {
            try
            {
                await SendRecordAsync([single]);
            }
            catch (Exception ex) when (!state.Aborted)
            {
                logger.LogError(ex, "Recording the result of webhook delivery {DeliveryId} failed; it will be sent again when its lease runs out", single.DeliveryId);
            }
        }
    }

    private async Task SendRecordAsync(IReadOnlyList<CompletedDelivery> batch)
    {
        var released = batch.Where(c => c.ReleaseAt is not null).Select(c => (c.DeliveryId, c.ReleaseAt!.Value)).ToList();
        if (released.Count > 0) await claims.ReleaseAsync(released, state.Aborting);
        if (released.Count == batch.Count) return;
        await using var scope = scopes.CreateScope(Actor);
        var attempts = batch.Where(c => c.Result is not null).Select(c => new DeliveryAttemptResult(
            c.DeliveryId, c.TenantId, c.Result!.StartedAt, c.Result.DurationMs, c.Result.StatusCode, c.Result.ErrorKind, c.Result.RetryAfter,
            c.Result.ResponseBodyExcerpt)).ToList();
        var cancellations = batch.Where(c => c.CancelReason is not null).Select(c => new DeliveryCancellation(c.DeliveryId, c.TenantId, c.CancelReason!)).ToList();
        // The recording is a use case of its own, run like any command: in a transaction, retried when it loses a race, logged.
        var recorded = await scope.ServiceProvider.GetRequiredService<IMediator>().Send(new RecordDeliveryAttemptsCommand(attempts, cancellations), state.Aborting);
        foreach (var endpoint in recorded.DisabledEndpoints) logger.LogWarning("Disabled webhook endpoint {EndpointId}: it answered 410 Gone or kept failing", endpoint);
        // A successful probe or test closed its endpoint's circuit (the success is recorded): what the circuit held goes now.
        var closed = batch.Where(c => c.ReleasesHeldOf is not null && AttemptOutcome.IsSuccess(c.Result?.StatusCode)).Select(c => c.ReleasesHeldOf!.Value).Distinct().ToList();
        if (closed.Count > 0) await ReleaseHeldAsync(closed);
    }

    /// <summary>
    /// Outside the recording's retries: the results are recorded, and recording them again would
    /// add their attempts twice. A release that fails is not lost either: held deliveries come due
    /// by themselves (Webhooks:CircuitBreaker:MaxOpenFor after their circuit's next decision).
    /// </summary>
    private async Task ReleaseHeldAsync(IReadOnlyList<Guid> endpoints)
    {
        try
        {
            await claims.ReleaseHeldAsync(endpoints, state.Aborting);
            state.Wake();
        }
        catch (Exception ex) when (!state.Aborted)
        {
            logger.LogWarning(ex, "Releasing the deliveries held for {Count} endpoints whose circuit closed failed; they come due when their hold runs out", endpoints.Count);
        }
    }
}
