using System.Text;
using Confluent.Kafka;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Integrations.Infrastructure.Messaging;

/// <summary>
/// Runs one <see cref="IMessageHandler"/> as a member of its consumer group. At-least-once: an
/// offset is committed only after its message was handled (see <see cref="OffsetCommitter"/> for
/// the batching), and a failing message is retried with backoff until it succeeds (see
/// <see cref="PartitionRetries"/>): it is never skipped, the outbox sweeper would publish it
/// again anyway. On shutdown the in-flight message finishes, offsets are committed and the
/// consumer leaves the group, so its partitions move to the other members at once.
/// </summary>
public sealed class KafkaConsumerService<THandler>(
    IServiceScopeFactory scopeFactory,
    KafkaClientFactory clients,
    IOptions<KafkaOptions> options,
    ILogger<KafkaConsumerService<THandler>> logger) : BackgroundService
    where THandler : class, IMessageHandler
{
    private static readonly TimeSpan PollTimeout = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan RestartDelay = TimeSpan.FromSeconds(5);
    private const int AttemptsBeforeError = 5;

    // Cancelled only when the host's shutdown timeout runs out: until then the in-flight message may
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
        await using (var scope = scopeFactory.CreateAsyncScope())
        {
            var handler = scope.ServiceProvider.GetRequiredService<THandler>();
            (topic, groupId) = (handler.Topic, handler.GroupId);
        }
        // Consume() blocks: the loop gets a thread of its own.
        await Task.Factory.StartNew(() => Run(topic, groupId, stoppingToken), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await using var abortWhenOutOfTime = cancellationToken.Register(_abort.Cancel);
        await base.StopAsync(cancellationToken);
    }

    private void Run(string topic, string groupId, CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                ConsumeUntilStopped(topic, groupId, stopping);
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

    private void ConsumeUntilStopped(string topic, string groupId, CancellationToken stopping)
    {
        var committer = new OffsetCommitter(logger, options.Value.CommitBatchSize, TimeSpan.FromMilliseconds(options.Value.CommitIntervalMs));
        var retries = new PartitionRetries();
        using var consumer = clients.CreateConsumer(groupId, builder => builder
            .SetPartitionsAssignedHandler((_, partitions) => Assigned(groupId, partitions))
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
            while (!stopping.IsCancellationRequested)
            {
                retries.ResumeDue(consumer);
                if (Poll(consumer, stopping) is { Message: not null } result) Process(consumer, result, groupId, committer, retries);
                committer.CommitIfDue(consumer);
            }
            committer.CommitAll(consumer);
        }
        finally
        {
            Close(consumer, groupId);
        }
    }

    private ConsumeResult<string, string>? Poll(IConsumer<string, string> consumer, CancellationToken stopping)
    {
        try
        {
            return consumer.Consume(PollTimeout);
        }
        catch (ConsumeException ex) when (!ex.Error.IsFatal)
        {
            // E.g. the topic does not exist yet; librdkafka keeps trying, we slow down the log.
            logger.LogWarning("Consuming failed ({Reason}); retrying", ex.Error.Reason);
            stopping.WaitHandle.WaitOne(TimeSpan.FromSeconds(1));
            return null;
        }
    }

    private void Process(IConsumer<string, string> consumer, ConsumeResult<string, string> result, string groupId,
        OffsetCommitter committer, PartitionRetries retries)
    {
        try
        {
            HandleAsync(result, groupId, _abort.Token).GetAwaiter().GetResult();
            retries.Succeeded(result.TopicPartition);
            committer.Processed(result.TopicPartitionOffset);
        }
        catch (Exception ex) when (!_abort.IsCancellationRequested)
        {
            var (attempt, delay) = retries.Failed(consumer, result.TopicPartitionOffset);
            logger.Log(attempt >= AttemptsBeforeError ? LogLevel.Error : LogLevel.Warning, ex,
                "Handling {Message} failed (attempt {Attempt}); retrying in {Delay}", result.TopicPartitionOffset, attempt, delay);
        }
    }

    private async Task HandleAsync(ConsumeResult<string, string> result, string groupId, CancellationToken ct)
    {
        await using var scope = scopeFactory.CreateAsyncScope();
        var context = scope.ServiceProvider.GetRequiredService<RequestContext>();
        context.CorrelationId = Header(result, "correlation-id") ?? Guid.NewGuid().ToString("N");
        context.CausationId = Header(result, "event-id") ?? result.TopicPartitionOffset.ToString();
        context.Actor = "worker:" + groupId;
        using (logger.BeginScope("Kafka {KafkaMessage}, correlation {CorrelationId}", result.TopicPartitionOffset.ToString(), context.CorrelationId))
            await scope.ServiceProvider.GetRequiredService<THandler>().HandleAsync(result, ct);
    }

    private static string? Header(ConsumeResult<string, string> result, string name) =>
        result.Message.Headers is { } headers && headers.TryGetLastBytes(name, out var bytes) ? Encoding.UTF8.GetString(bytes) : null;

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
            // Leaves the group now (the revoke handler commits first) instead of after the session timeout.
            consumer.Close();
        }
        catch (KafkaException ex)
        {
            logger.LogWarning("Closing consumer {Group} failed: {Reason}", groupId, ex.Error.Reason);
        }
        lock (_assignmentLock) _assignment.Clear();
    }
}
