using Confluent.Kafka;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Integrations.Infrastructure.Messaging;

/// <summary>
/// Runs an <see cref="IBatchMessageHandler"/> as a member of its consumer group: it waits for a
/// message, takes whatever else the client has already fetched (up to the handler's batch size)
/// without waiting, and hands the batch over at once, so batches grow with load and latency stays
/// that of a single message when idle. Offsets are committed only after the batch was handled
/// (<see cref="OffsetCommitter"/>); a failed batch rewinds and pauses each of its partitions and is
/// retried with backoff (<see cref="PartitionRetries"/>), never skipped. Messages of a partition
/// revoked while the batch was being collected are left to the partition's next owner. On shutdown
/// the in-flight batch finishes, offsets are committed and the consumer leaves the group, so its
/// partitions move to the other members at once. A renamed group starts where its former group
/// stopped (<see cref="FormerGroupHandover"/>). The only consume loop of the platform.
/// </summary>
public sealed class KafkaBatchConsumerService<THandler>(
    IServiceScopeFactory scopeFactory,
    KafkaClientFactory clients,
    IOptions<KafkaOptions> options,
    ILogger<KafkaBatchConsumerService<THandler>> logger) : BackgroundService
    where THandler : class, IBatchMessageHandler
{
    private static readonly TimeSpan PollTimeout = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan RestartDelay = TimeSpan.FromSeconds(5);
    private const int AttemptsBeforeError = 5;

    // Cancelled only when the host's shutdown timeout runs out: until then the in-flight batch may
    // finish. Never disposed: the consume thread may still read it after the host let go of us.
    private readonly CancellationTokenSource _abort = new();
    private readonly Lock _assignmentLock = new();
    private readonly HashSet<TopicPartition> _assignment = [];

    /// <summary>The partitions this member currently owns.</summary>
    public IReadOnlyList<TopicPartition> Assignment
    {
        get
        {
            lock (_assignmentLock) return [.. _assignment];
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        string topic, groupId;
        int maxBatch;
        IReadOnlyList<string> formerGroupIds;
        await using (var scope = scopeFactory.CreateAsyncScope())
        {
            var handler = scope.ServiceProvider.GetRequiredService<THandler>();
            (topic, groupId, maxBatch, formerGroupIds) = (handler.Topic, handler.GroupId, handler.MaxBatchSize, handler.FormerGroupIds);
        }
        var handover = new FormerGroupHandover(clients, groupId, formerGroupIds, logger);
        // Consume() blocks: the loop gets a thread of its own.
        await Task.Factory.StartNew(() => Run(topic, groupId, maxBatch, handover, stoppingToken), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await using var abortWhenOutOfTime = cancellationToken.Register(_abort.Cancel);
        await base.StopAsync(cancellationToken);
    }

    private void Run(string topic, string groupId, int maxBatch, FormerGroupHandover handover, CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                ConsumeUntilStopped(topic, groupId, maxBatch, handover, stopping);
            }
            catch (OperationCanceledException) when (_abort.IsCancellationRequested)
            {
                logger.LogWarning("Consumer {Group} aborted at the shutdown timeout; its uncommitted messages will be redelivered", groupId);
                return;
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "Consumer {Group} on {Topic} failed; restarting it in {Delay}", groupId, topic, RestartDelay);
                stopping.WaitHandle.WaitOne(RestartDelay);
            }
        }
    }

    private void ConsumeUntilStopped(string topic, string groupId, int maxBatch, FormerGroupHandover handover, CancellationToken stopping)
    {
        var committer = new OffsetCommitter(logger, options.Value.CommitBatchSize, TimeSpan.FromMilliseconds(options.Value.CommitIntervalMs));
        var retries = new PartitionRetries();
        using var consumer = clients.CreateConsumer(groupId, builder => builder
            .SetPartitionsAssignedHandler((c, partitions) =>
            {
                var start = handover.StartOffsets(c, partitions, committer).ToList();
                Assigned(groupId, partitions);
                return start;
            })
            .SetPartitionsRevokedHandler((c, partitions) =>
            {
                var revoked = partitions.Select(p => p.TopicPartition).ToList();
                committer.Revoked(c, revoked);
                retries.Forget(c, revoked);
                Unassigned(groupId, revoked, "revoked");
            })
            .SetPartitionsLostHandler((c, partitions) =>
            {
                var lost = partitions.Select(p => p.TopicPartition).ToList();
                committer.Lost(lost);
                retries.Forget(c, lost);
                Unassigned(groupId, lost, "lost");
            }));

        consumer.Subscribe(topic);
        try
        {
            var batch = new List<ConsumeResult<string, string>>(maxBatch);
            while (!stopping.IsCancellationRequested)
            {
                retries.ResumeDue(consumer);
                Collect(consumer, batch, maxBatch, stopping);
                if (batch.Count > 0) Process(consumer, batch, groupId, committer, retries);
                batch.Clear();
                committer.CommitIfDue(consumer);
            }
            committer.CommitAll(consumer);
        }
        finally
        {
            Close(consumer, groupId);
        }
    }

    /// <summary>One message with a wait, then only what is already fetched; drops messages of partitions lost meanwhile.</summary>
    private void Collect(IConsumer<string, string> consumer, List<ConsumeResult<string, string>> batch, int maxBatch, CancellationToken stopping)
    {
        if (Poll(consumer, PollTimeout, stopping) is not { Message: not null } first) return;
        batch.Add(first);
        while (batch.Count < maxBatch && Poll(consumer, TimeSpan.Zero, stopping) is { Message: not null } next) batch.Add(next);
        var owned = Assignment.ToHashSet();
        batch.RemoveAll(m => !owned.Contains(m.TopicPartition));
    }

    private ConsumeResult<string, string>? Poll(IConsumer<string, string> consumer, TimeSpan timeout, CancellationToken stopping)
    {
        try
        {
            return consumer.Consume(timeout);
        }
        catch (ConsumeException ex) when (!ex.Error.IsFatal)
        {
            logger.LogWarning("Consuming failed ({Reason}); retrying", ex.Error.Reason);
            stopping.WaitHandle.WaitOne(TimeSpan.FromSeconds(1));
            return null;
        }
    }

    private void Process(IConsumer<string, string> consumer, List<ConsumeResult<string, string>> batch, string groupId,
        OffsetCommitter committer, PartitionRetries retries)
    {
        var partitions = batch.GroupBy(m => m.TopicPartition).ToList();
        try
        {
            HandleAsync(batch, groupId, _abort.Token).GetAwaiter().GetResult();
            foreach (var partition in partitions)
            {
                retries.Succeeded(partition.Key);
                committer.Processed(partition.MaxBy(m => m.Offset.Value)!.TopicPartitionOffset);
            }
        }
        catch (Exception ex) when (!_abort.IsCancellationRequested)
        {
            // Every partition of the batch goes back to its first message of the batch.
            var attempt = 0;
            var delay = TimeSpan.Zero;
            foreach (var partition in partitions) (attempt, delay) = retries.Failed(consumer, partition.MinBy(m => m.Offset.Value)!.TopicPartitionOffset);
            logger.Log(attempt >= AttemptsBeforeError ? LogLevel.Error : LogLevel.Warning, ex,
                "Handling a batch of {Count} messages failed (attempt {Attempt}); retrying in {Delay}", batch.Count, attempt, delay);
        }
    }

    private async Task HandleAsync(IReadOnlyList<ConsumeResult<string, string>> batch, string groupId, CancellationToken ct)
    {
        await using var scope = scopeFactory.CreateAsyncScope();
        var context = scope.ServiceProvider.GetRequiredService<RequestContext>();
        context.CorrelationId = "batch-" + Guid.NewGuid().ToString("N");
        context.CausationId = batch[0].TopicPartitionOffset.ToString();
        context.Actor = "worker:" + groupId;
        using (logger.BeginScope("Kafka batch of {Count} from {KafkaMessage}, correlation {CorrelationId}", batch.Count, batch[0].TopicPartitionOffset.ToString(), context.CorrelationId))
            await scope.ServiceProvider.GetRequiredService<THandler>().HandleBatchAsync(batch, ct);
    }

    private void Assigned(string groupId, IReadOnlyCollection<TopicPartition> partitions)
    {
        lock (_assignmentLock) _assignment.UnionWith(partitions);
        logger.LogInformation("Consumer {Group} assigned {Partitions}", groupId, string.Join(", ", partitions));
    }

    private void Unassigned(string groupId, IReadOnlyCollection<TopicPartition> partitions, string how)
    {
        lock (_assignmentLock) _assignment.ExceptWith(partitions);
        logger.LogInformation("Consumer {Group} {How} {Partitions}", groupId, how, string.Join(", ", partitions));
    }

    private void Close(IConsumer<string, string> consumer, string groupId)
    {
        try
        {
            consumer.Close();
        }
        catch (KafkaException ex)
        {
            logger.LogWarning("Closing consumer {Group} failed: {Reason}", groupId, ex.Error.Reason);
        }
        lock (_assignmentLock) _assignment.Clear();
    }
}
