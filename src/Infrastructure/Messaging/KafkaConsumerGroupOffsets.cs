using Confluent.Kafka;
using Integrations.Application.ConsumerLag;

namespace Integrations.Infrastructure.Messaging;

/// <summary>
/// Committed offsets (OffsetFetch) and watermarks (ListOffsets) through a consumer per group that
/// never subscribes, so it never joins the group nor takes a partition from its members; the
/// partitions come from the topic's metadata. The operator's consumer lag and the outbox sweeper
/// share the one instance.
/// </summary>
public sealed class KafkaConsumerGroupOffsets(KafkaClientFactory clients) : IConsumerGroupOffsets, IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);

    private readonly Lazy<IAdminClient> _admin = new(clients.CreateAdminClient);
    private readonly Dictionary<string, IConsumer<string, string>> _readers = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private int _disposed;

    public async Task<IReadOnlyList<PartitionOffsets>> ReadAsync(string groupId, string topic, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            // librdkafka's calls block; keep them off the request's thread.
            return await Task.Run(() =>
            {
                var metadata = _admin.Value.GetMetadata(topic, Timeout).Topics.SingleOrDefault(t => t.Topic == topic);
                if (metadata is null || metadata.Error.IsError)
                    throw new ConsumerOffsetsUnavailableException($"Kafka has no metadata for {topic}{(metadata is null ? "" : $": {metadata.Error.Reason}")}.");
                var partitions = metadata.Partitions.Select(p => new TopicPartition(topic, p.PartitionId)).ToList();
                return (IReadOnlyList<PartitionOffsets>)ReadBlocking(groupId, partitions).Select(p => p.Offsets).ToList();
            }, ct);
        }
        catch (KafkaException ex)
        {
            throw new ConsumerOffsetsUnavailableException($"Kafka did not answer: {ex.Error.Reason}");
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// The group's committed offset and the watermarks of each of <paramref name="partitions"/> (the
    /// outbox sweeper's question). Throws <see cref="KafkaException"/> when the broker does not answer.
    /// </summary>
    public async Task<IReadOnlyList<(TopicPartition Partition, PartitionOffsets Offsets)>> ReadAsync(string groupId, IReadOnlyList<TopicPartition> partitions,
        TimeSpan timeout, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            return await Task.Run(() => ReadBlocking(groupId, partitions, timeout), ct);
        }
        finally
        {
            _gate.Release();
        }
    }

    // librdkafka's calls block: callers run this off a request's or a host's thread, holding the gate.
    private IReadOnlyList<(TopicPartition Partition, PartitionOffsets Offsets)> ReadBlocking(string groupId, IReadOnlyList<TopicPartition> partitions,
        TimeSpan? timeout = null)
    {
        var reader = Reader(groupId);
        var committed = reader.Committed(partitions, timeout ?? Timeout).ToDictionary(c => c.TopicPartition, c => c.Offset);
        return partitions.Select(tp =>
        {
            var watermarks = reader.QueryWatermarkOffsets(tp, timeout ?? Timeout);
            var offset = committed.GetValueOrDefault(tp, Offset.Unset);
            return (tp, new PartitionOffsets(tp.Partition.Value, offset.IsSpecial ? null : offset.Value, watermarks.Low.Value, watermarks.High.Value));
        }).ToList();
    }

    private IConsumer<string, string> Reader(string groupId)
    {
        if (!_readers.TryGetValue(groupId, out var reader))
            _readers[groupId] = reader = clients.CreateConsumer(groupId, _ => { });
        return reader;
    }

    // The container disposes it once per registration (the class and its port), and librdkafka's
    // clients throw when disposed twice.
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        foreach (var reader in _readers.Values) reader.Dispose();
        if (_admin.IsValueCreated) _admin.Value.Dispose();
        _gate.Dispose();
    }
}
