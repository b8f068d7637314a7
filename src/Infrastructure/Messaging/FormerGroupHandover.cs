using System.Diagnostics;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Integrations.Infrastructure.Messaging;

/// <summary>
/// Lets a consumer group be renamed without consuming its topic again from the beginning or
/// skipping anything (<see cref="IBatchMessageHandler.FormerGroupIds"/>). When partitions are
/// assigned, the group's own committed offsets are read; a partition without one starts at the
/// offset a former group committed there, read without joining that group (an offset fetch by an
/// idle client with the former group's id; the group-listing admin calls are not used, the
/// development broker lacks them). The taken-over offset is committed for the group with its next
/// commit, so each partition is handed over once. Neither read can be skipped: if either fails,
/// the exception leaves the rebalance and the consumer restarts before consuming anything.
/// </summary>
internal sealed class FormerGroupHandover(KafkaClientFactory clients, string groupId, IReadOnlyList<string> formerGroupIds, ILogger logger)
{
    private static readonly TimeSpan QueryTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Where the assigned partitions start: the group's own committed offset, else a former group's,
    /// else <see cref="Offset.Unset"/> (auto.offset.reset: the oldest message). A handler without
    /// former groups costs nothing here: librdkafka reads the committed offsets itself, as always.
    /// </summary>
    public IEnumerable<TopicPartitionOffset> StartOffsets(IConsumer<string, string> consumer, IReadOnlyList<TopicPartition> partitions, OffsetCommitter committer)
    {
        if (formerGroupIds.Count == 0 || partitions.Count == 0) return partitions.Select(p => new TopicPartitionOffset(p, Offset.Unset));

        var started = Stopwatch.GetTimestamp();
        var start = consumer.Committed(partitions, QueryTimeout).ToDictionary(c => c.TopicPartition, c => c.Offset);
        foreach (var formerGroupId in formerGroupIds)
        {
            var missing = partitions.Where(p => !start.TryGetValue(p, out var offset) || offset.IsSpecial).ToList();
            if (missing.Count == 0) break;
            // Never subscribed: it only reads the former group's committed offsets.
            using var former = clients.CreateConsumer(formerGroupId, _ => { });
            var handedOver = former.Committed(missing, QueryTimeout).Where(c => !c.Offset.IsSpecial).ToList();
            foreach (var position in handedOver)
            {
                start[position.TopicPartition] = position.Offset;
                committer.HandedOver(position);
            }
            if (handedOver.Count > 0)
                logger.LogInformation("Consumer {Group} starts {Count} partitions where its former group {FormerGroup} committed ({Elapsed:F0} ms): {Positions}",
                    groupId, handedOver.Count, formerGroupId, Stopwatch.GetElapsedTime(started).TotalMilliseconds, string.Join(", ", handedOver));
        }
        return partitions.Select(p => new TopicPartitionOffset(p, start.TryGetValue(p, out var offset) ? offset : Offset.Unset));
    }
}
