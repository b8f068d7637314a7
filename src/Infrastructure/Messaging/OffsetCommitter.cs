using System.Diagnostics;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Integrations.Infrastructure.Messaging;

/// <summary>
/// Commits processed offsets in batches: after <c>batchSize</c> messages or <c>interval</c>,
/// whichever comes first, before partitions are revoked, and at shutdown. A commit costs a broker
/// round trip, so committing every message would cap a partition at a few hundred messages per
/// second; batching bounds the redelivery after a crash to one batch, which idempotent handlers
/// absorb. Used from the consume thread only (rebalance callbacks run inside Consume).
/// </summary>
internal sealed class OffsetCommitter(ILogger logger, int batchSize, TimeSpan interval)
{
    private readonly Dictionary<TopicPartition, Offset> _pending = [];
    private int _processedSinceCommit;
    private long _lastCommit = Stopwatch.GetTimestamp();

    public void Processed(TopicPartitionOffset message)
    {
        _pending[message.TopicPartition] = message.Offset + 1;
        _processedSinceCommit++;
    }

    /// <summary>
    /// A start offset taken over from a former group (<see cref="FormerGroupHandover"/>): committed
    /// for this group with the next commit, so the hand-over holds even if nothing more arrives.
    /// </summary>
    public void HandedOver(TopicPartitionOffset start) => _pending[start.TopicPartition] = start.Offset;

    public void CommitIfDue(IConsumer<string, string> consumer)
    {
        if (_processedSinceCommit < batchSize && Stopwatch.GetElapsedTime(_lastCommit) < interval) return;
        Commit(consumer, [.. _pending.Keys]);
    }

    public void CommitAll(IConsumer<string, string> consumer) => Commit(consumer, [.. _pending.Keys]);

    /// <summary>Commits what was processed on the partitions being given away, then forgets them.</summary>
    public void Revoked(IConsumer<string, string> consumer, IReadOnlyList<TopicPartition> partitions)
    {
        Commit(consumer, [.. partitions.Where(_pending.ContainsKey)]);
        Lost(partitions);
    }

    /// <summary>Partitions already owned by another member: their offsets can no longer be committed.</summary>
    public void Lost(IReadOnlyList<TopicPartition> partitions)
    {
        foreach (var partition in partitions) _pending.Remove(partition);
    }

    private void Commit(IConsumer<string, string> consumer, IReadOnlyList<TopicPartition> partitions)
    {
        _lastCommit = Stopwatch.GetTimestamp();
        _processedSinceCommit = 0;
        if (partitions.Count == 0) return;
        var offsets = partitions.Select(p => new TopicPartitionOffset(p, _pending[p])).ToList();
        try
        {
            consumer.Commit(offsets);
            foreach (var committed in offsets)
                if (_pending.TryGetValue(committed.TopicPartition, out var current) && current == committed.Offset)
                    _pending.Remove(committed.TopicPartition);
        }
        catch (KafkaException ex)
        {
            // Kept pending: the next commit covers these offsets. If none comes (rebalance, crash),
            // the messages are delivered again, which idempotent handlers absorb.
            logger.LogWarning("Committing offsets failed ({Reason}); will be retried with the next commit", ex.Error.Reason);
        }
    }
}
