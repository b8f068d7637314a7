using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.WebhookDeliveries;
using Integrations.Application.WebhookDeliveries.Commands.RecordDeliveryAttempts;
using Integrations.Domain.Webhooks;
using Integrations.Infrastructure.Persistence.Projections;
using MediatR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Integrations.Infrastructure.Webhooks.Delivery;

/// <summary>
/// Sends queued webhook deliveries (Workers host). One loop claims due deliveries
/// (<see cref="WebhookDeliveryQueue"/>) as long as this instance has room
/// (<see cref="WebhookDispatcherOptions.MaxConcurrency"/> deliveries held), and every delivery is
/// sent on its own task, with at most <see cref="WebhookDispatcherOptions.MaxConcurrencyPerEndpoint"/>
/// requests in flight per endpoint: a slow or hanging endpoint holds only its own slots, never the
/// loop, another endpoint or another tenant. An endpoint that answers fast may have a few times its
/// connections' worth claimed, waiting here for a connection, so one claim keeps it busy for a
/// while (see <see cref="Room"/>); one that slows down gives what waits back to the queue.
/// Results go through a channel to writers that record them in batches
/// (<see cref="RecordDeliveryAttemptsCommand"/>). The loop wakes on the queue's
/// NOTIFY (deliveries due now), when capacity frees up while it waits for some, at the next known
/// due time, and at least every <see cref="WebhookDispatcherOptions.PollInterval"/> (which is when
/// retries scheduled after its last look are found); never once per finished request, which would
/// cost a claim transaction each.
/// On shutdown it stops claiming and lets requests in flight finish and be recorded until the
/// host's shutdown timeout; anything cut off then is sent again when its lease runs out.
/// </summary>
public sealed class WebhookDispatcher(
    WebhookDeliveryQueue queue,
    WebhookSender sender,
    ISecretProtector protector,
    IServiceScopeFactory scopes,
    NpgsqlDataSource dataSource,
    WebhookDispatcherOptions options,
    ILogger<WebhookDispatcher> logger) : BackgroundService
{
    private const int ResultWriters = 2;
    private const int RecordAttempts = 3;
    private static readonly TimeSpan DefaultResponseTime = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan ErrorDelay = TimeSpan.FromSeconds(1);
    // A fast endpoint may have this many times its connections claimed...
    private const int MaxHoldFactor = 8;
    // ...as many as it answers in this long...
    private static readonly TimeSpan HoldWindow = TimeSpan.FromMilliseconds(100);
    // ...and a delivery that waits longer than this for a connection goes back to the queue.
    private static readonly TimeSpan ConnectionWait = TimeSpan.FromSeconds(1);

    private readonly Channel<Completed> _results = Channel.CreateUnbounded<Completed>();
    // Per endpoint with deliveries held: how many, and its connection slots. Guarded by itself.
    private readonly Dictionary<Guid, EndpointSlots> _endpoints = new();
    private readonly ConcurrentDictionary<Guid, double> _responseMs = new();
    // Per endpoint, when a request of it last finished, or when it last went from idle to busy.
    private readonly ConcurrentDictionary<Guid, long> _lastProgress = new();
    // Per endpoint, this instance's own failures in a row and when the last one finished (see TrippedHere).
    private readonly ConcurrentDictionary<Guid, (int Failures, long LastAt)> _streaks = new();
    private readonly AsyncSignal _work = new();
    // Set while the loop waits for requests to finish; only then does a finished request wake it.
    private volatile bool _waitingForCapacity;
    // Cancels requests in flight and result writes only when the host's shutdown timeout runs out.
    private readonly CancellationTokenSource _abort = new();
    private int _inFlight;

    /// <summary>
    /// New deliveries were committed in this process: look for them now. The queue's NOTIFY would
    /// wake the loop too, but only after a round trip through PostgreSQL and the listening
    /// connection; it stays for deliveries created elsewhere (other instances, the API).
    /// </summary>
    public void Wake() => _work.Set();

    /// <summary>Deliveries this instance holds: in flight, or waiting for their rate-limit slot or a connection.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var writers = Enumerable.Range(0, ResultWriters).Select(_ => Task.Run(WriteResultsAsync, CancellationToken.None)).ToList();
        var listener = Task.Run(() => ListenAsync(stoppingToken), CancellationToken.None);
        try
        {
            await DispatchAsync(stoppingToken);
        }
        finally
        {
            while (InFlight > 0 && !_abort.IsCancellationRequested) await Task.Delay(50, CancellationToken.None);
            _results.Writer.TryComplete();
            await Task.WhenAll(writers.Append(listener));
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await using var abortWhenOutOfTime = cancellationToken.Register(_abort.Cancel);
        await base.StopAsync(cancellationToken);
    }

    private async Task DispatchAsync(CancellationToken stopping)
    {
        // Claim again only once a useful share of capacity is free, not for every finished request.
        var worthClaiming = Math.Max(1, Math.Min(options.ClaimBatchSize, options.MaxConcurrency) / 4);
        while (!stopping.IsCancellationRequested)
        {
            var budget = Math.Min(options.MaxConcurrency - InFlight, options.ClaimBatchSize);
            if (budget < worthClaiming)
            {
                _waitingForCapacity = true;
                // A request that finished before the flag was up did not signal: look once more before waiting.
                if (options.MaxConcurrency - InFlight < worthClaiming) await _work.WaitAsync(options.PollInterval, stopping);
                _waitingForCapacity = false;
                continue;
            }

            ClaimResult claim;
            try
            {
                claim = await queue.ClaimAsync(budget, Room, ResponseTime, stopping);
            }
            catch (Exception ex) when (!stopping.IsCancellationRequested)
            {
                logger.LogWarning(ex, "Claiming webhook deliveries failed; trying again in {Delay}", ErrorDelay);
                await Task.Delay(ErrorDelay, stopping).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                continue;
            }
            catch (Exception) when (stopping.IsCancellationRequested)
            {
                return;
            }

            foreach (var cancelled in claim.Cancelled) _results.Writer.TryWrite(new Completed(cancelled.DeliveryId, cancelled.TenantId, null, cancelled.Reason, null));
            foreach (var delivery in claim.Deliveries) Start(delivery);
            if (claim.More) continue;

            var untilDue = claim.NextDueAt is { } next ? next - DateTimeOffset.UtcNow : options.PollInterval;
            await _work.WaitAsync(untilDue < options.PollInterval ? untilDue : options.PollInterval, stopping);
        }
    }

    /// <summary>
    /// How many more deliveries of the endpoint this instance may take on now: its connections, and
    /// for an endpoint that answers fast, as many more as it answers in <see cref="HoldWindow"/>
    /// (at most <see cref="MaxHoldFactor"/> times its connections), less what it holds already.
    /// Without the extra, a busy fast endpoint's next deliveries would be claimed and deferred
    /// again and again while its connections free up every few milliseconds.
    /// </summary>
    private int Room(Guid endpointId)
    {
        var connections = options.MaxConcurrencyPerEndpoint;
        var factor = Math.Clamp((int)(HoldWindow / ResponseTime(endpointId)), 1, MaxHoldFactor);
        lock (_endpoints) return connections * factor - (_endpoints.TryGetValue(endpointId, out var slots) ? slots.Held : 0);
    }

    private void Start(ClaimedDelivery delivery)
    {
        Interlocked.Increment(ref _inFlight);
        EndpointSlots slots;
        lock (_endpoints)
        {
            if (!_endpoints.TryGetValue(delivery.EndpointId, out slots!))
            {
                _endpoints[delivery.EndpointId] = slots = new EndpointSlots(options.MaxConcurrencyPerEndpoint);
                // An idle endpoint starts with a clean slate: its silence so far says nothing about its speed.
                _lastProgress[delivery.EndpointId] = Stopwatch.GetTimestamp();
            }
            slots.Held++;
        }
        _ = Task.Run(() => SendAsync(delivery, slots), CancellationToken.None);
    }

    private async Task SendAsync(ClaimedDelivery delivery, EndpointSlots slots)
    {
        var connected = false;
        try
        {
            var wait = delivery.SendAt - DateTimeOffset.UtcNow;
            if (wait > TimeSpan.Zero) await Task.Delay(wait, _abort.Token);
            if (!(connected = await slots.Connections.WaitAsync(ConnectionWait, _abort.Token)))
            {
                // The endpoint got slower since the claim: the queue decides again, for any instance, rather than the lease running out here.
                _results.Writer.TryWrite(new Completed(delivery.DeliveryId, delivery.TenantId, null, null, DateTimeOffset.UtcNow + ResponseTime(delivery.EndpointId)));
                return;
            }
            if (!delivery.ReleasesHeld && TrippedHere(delivery.EndpointId))
            {
                // Claimed before the circuit opened, sent after: back to the queue, whose next claim sees the recorded failures.
                _results.Writer.TryWrite(new Completed(delivery.DeliveryId, delivery.TenantId, null, null, DateTimeOffset.UtcNow + options.CircuitBreaker.OpenFor));
                return;
            }
            var result = Sign(delivery) is { } request
                ? await sender.SendAsync(request, _abort.Token)
                : new SendResult(DateTimeOffset.UtcNow, 0, null, SendErrorKinds.SsrfBlocked, null, null);
            _responseMs.AddOrUpdate(delivery.EndpointId, result.DurationMs, (_, average) => average * 0.8 + result.DurationMs * 0.2);
            if (AttemptOutcome.IsSuccess(result.StatusCode)) _streaks.TryRemove(delivery.EndpointId, out _);
            else _streaks.AddOrUpdate(delivery.EndpointId, (1, Stopwatch.GetTimestamp()), (_, streak) => (streak.Failures + 1, Stopwatch.GetTimestamp()));
            _lastProgress[delivery.EndpointId] = Stopwatch.GetTimestamp();
            _results.Writer.TryWrite(new Completed(delivery.DeliveryId, delivery.TenantId, result, null, null,
                delivery.ReleasesHeld ? delivery.EndpointId : null));
        }
        catch (OperationCanceledException) when (_abort.IsCancellationRequested)
        {
            // Cut off at the shutdown deadline: not recorded, so the lease runs out and it is sent again.
        }
        catch (Exception ex)
        {
            // E.g. a secret that no configured key decrypts: left to its lease, so it is retried once the platform is fixed.
            logger.LogError(ex, "Sending webhook delivery {DeliveryId} failed before any request", delivery.DeliveryId);
        }
        finally
        {
            if (connected) slots.Connections.Release();
            lock (_endpoints)
            {
                // Nobody else can be using the slots of an endpoint that holds nothing: forget it.
                if (--slots.Held == 0) _endpoints.Remove(delivery.EndpointId);
            }
            Interlocked.Decrement(ref _inFlight);
            if (_waitingForCapacity) _work.Set();
        }
    }

    /// <summary>The signed request; null when the stored URL is not one the policy accepts at all.</summary>
    private WebhookRequest? Sign(ClaimedDelivery delivery)
    {
        if (WebhookUrlPolicy.CheckSyntax(delivery.Url, out var url) is not null) return null;
        var now = DateTimeOffset.UtcNow;
        var timestamp = now.ToUnixTimeSeconds();
        var body = WebhookPayload.Body(delivery.EventId, delivery.EventType, delivery.EventTimestamp, delivery.Data, delivery.DeliveryId, delivery.EndpointId);
        // The secrets still signing at send time (as WebhookEndpointState.SigningSecrets), decrypted for this request only.
        var keys = delivery.Secrets
            .Where(s => s.ExpiresAt is null || s.ExpiresAt > now)
            .Select(s => WebhookSignature.SecretKey(protector.Unprotect(s.ProtectedSecret)));
        var signature = WebhookSignature.Header(delivery.DeliveryId.ToString(), timestamp, body, keys);
        return new WebhookRequest(url!, delivery.DeliveryId, timestamp, signature, body);
    }

    /// <summary>
    /// Whether this instance itself saw the endpoint fail Webhooks:CircuitBreaker:FailureThreshold
    /// times in a row within the last OpenFor. A claim hands out up to eight times an endpoint's
    /// connections at once, all before the first of their failures is recorded; an endpoint that
    /// refuses connections failed them all within a second (over a hundred: auto-disabled by one
    /// burst). The queue's circuit decides only at the next claim, so the deliveries still waiting
    /// here go back instead. After OpenFor without a failure here the queue's circuit decides alone,
    /// so a stale streak never keeps an endpoint from its deliveries.
    /// </summary>
    private bool TrippedHere(Guid endpointId)
    {
        var breaker = options.CircuitBreaker;
        return breaker.FailureThreshold > 0 && _streaks.TryGetValue(endpointId, out var streak) && streak.Failures >= breaker.FailureThreshold
               && Stopwatch.GetElapsedTime(streak.LastAt) < breaker.OpenFor;
    }

    /// <summary>
    /// About how long the endpoint takes to answer: the moving average of its answers, but at least
    /// as long as it has now gone without finishing any request while some are in flight, so an
    /// endpoint that starts hanging is recognised before its first timeout.
    /// </summary>
    private TimeSpan ResponseTime(Guid endpointId)
    {
        var average = _responseMs.TryGetValue(endpointId, out var ms) ? TimeSpan.FromMilliseconds(Math.Max(ms, 10)) : DefaultResponseTime;
        bool busy;
        lock (_endpoints) busy = _endpoints.ContainsKey(endpointId);
        var stalled = busy && _lastProgress.TryGetValue(endpointId, out var progress)
            ? Stopwatch.GetElapsedTime(progress)
            : TimeSpan.Zero;
        return stalled > average ? stalled : average;
    }

    private async Task WriteResultsAsync()
    {
        var batch = new List<Completed>(options.ResultBatchSize);
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
    private async Task RecordAsync(List<Completed> batch)
    {
        for (var attempt = 1; attempt <= RecordAttempts; attempt++)
        {
            try
            {
                await SendRecordAsync(batch);
                return;
            }
            catch (Exception ex) when (!_abort.IsCancellationRequested)
            {
                logger.LogWarning(ex, "Recording {Count} webhook results failed (attempt {Attempt} of {Max})", batch.Count, attempt, RecordAttempts);
                await Task.Delay(ErrorDelay * attempt, _abort.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
            catch (Exception) when (_abort.IsCancellationRequested)
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
            catch (Exception ex) when (!_abort.IsCancellationRequested)
            {
                logger.LogError(ex, "Recording the result of webhook delivery {DeliveryId} failed; it will be sent again when its lease runs out", single.DeliveryId);
            }
        }
    }

    private async Task SendRecordAsync(IReadOnlyList<Completed> batch)
    {
        var released = batch.Where(c => c.ReleaseAt is not null).Select(c => (c.DeliveryId, c.ReleaseAt!.Value)).ToList();
        if (released.Count > 0) await queue.ReleaseAsync(released, _abort.Token);
        if (released.Count == batch.Count) return;
        await using var scope = scopes.CreateAsyncScope();
        var context = scope.ServiceProvider.GetRequiredService<RequestContext>();
        context.Actor = "worker:webhook-dispatcher";
        var attempts = batch.Where(c => c.Result is not null).Select(c => new DeliveryAttemptResult(
            c.DeliveryId, c.TenantId, c.Result!.StartedAt, c.Result.DurationMs, c.Result.StatusCode, c.Result.ErrorKind, c.Result.RetryAfter,
            c.Result.ResponseBodyExcerpt)).ToList();
        var cancellations = batch.Where(c => c.CancelReason is not null).Select(c => new DeliveryCancellation(c.DeliveryId, c.TenantId, c.CancelReason!)).ToList();
        var recorded = await scope.ServiceProvider.GetRequiredService<IMediator>().Send(new RecordDeliveryAttemptsCommand(attempts, cancellations), _abort.Token);
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
            await queue.ReleaseHeldAsync(endpoints, _abort.Token);
            _work.Set();
        }
        catch (Exception ex) when (!_abort.IsCancellationRequested)
        {
            logger.LogWarning(ex, "Releasing the deliveries held for {Count} endpoints whose circuit closed failed; they come due when their hold runs out", endpoints.Count);
        }
    }

    private async Task ListenAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(stopping);
                connection.Notification += (_, _) => _work.Set();
                try
                {
                    await using (var listen = new NpgsqlCommand($"listen {WebhookDeliveryQueueWriter.Channel}", connection))
                        await listen.ExecuteNonQueryAsync(stopping);
                    // Whatever was committed before we listened is found by the next claim.
                    _work.Set();
                    while (!stopping.IsCancellationRequested) await connection.WaitAsync(stopping);
                }
                finally
                {
                    // Pooled connections are not reset on close (No Reset On Close): stop listening before this one goes back.
                    await UnlistenAsync(connection);
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "Listening for new webhook deliveries failed; polling every {Interval} until it is back", options.PollInterval);
                await Task.Delay(ErrorDelay, stopping).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    private static async Task UnlistenAsync(NpgsqlConnection connection)
    {
        if (connection.State != System.Data.ConnectionState.Open) return;
        try
        {
            await using var unlisten = new NpgsqlCommand("unlisten *", connection);
            await unlisten.ExecuteNonQueryAsync(CancellationToken.None);
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException)
        {
            // A broken connection is discarded by the pool anyway.
        }
    }

    /// <summary>
    /// A delivery done with: an attempt's result, a reason to dead-letter it without one, or the
    /// time it is due again when given back unsent.
    /// </summary>
    /// <param name="ReleasesHeldOf">The endpoint, when the delivery went although its circuit was not closed: its success releases what the circuit holds.</param>
    private sealed record Completed(Guid DeliveryId, Guid TenantId, SendResult? Result, string? CancelReason, DateTimeOffset? ReleaseAt,
        Guid? ReleasesHeldOf = null);

    /// <summary>An endpoint's deliveries held by this instance, and its connection slots.</summary>
    private sealed class EndpointSlots(int connections)
    {
        public int Held;

        public SemaphoreSlim Connections { get; } = new(connections, connections);
    }
}
