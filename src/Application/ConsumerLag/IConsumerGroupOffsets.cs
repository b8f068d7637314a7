namespace Integrations.Application.ConsumerLag;

/// <summary>A partition's position: the group's committed offset (null: none yet) and the partition's low and high watermarks.</summary>
public sealed record PartitionOffsets(int Partition, long? Committed, long LowWatermark, long HighWatermark);

/// <summary>Reads consumer groups' committed offsets and the topics' watermarks from the broker, without joining the groups.</summary>
public interface IConsumerGroupOffsets
{
    /// <exception cref="ConsumerOffsetsUnavailableException">The broker did not answer.</exception>
    Task<IReadOnlyList<PartitionOffsets>> ReadAsync(string groupId, string topic, CancellationToken ct);
}

public sealed class ConsumerOffsetsUnavailableException(string message) : Exception(message);

/// <summary>
/// The platform's consumer groups (docs/kafka-topics.md#consumer-groups). The Workers' topic
/// handlers name the same ids; a test keeps the two lists equal.
/// </summary>
public static class PlatformConsumerGroups
{
    public static readonly IReadOnlyList<(string Group, string Topic)> All =
    [
        ("integrations.workers.events-dispatch", Common.Topics.Events),
        ("integrations.workers.product-callbacks", Common.Topics.ProductCommands),
        ("integrations.workers.inbound", Common.Topics.Inbound),
    ];
}
