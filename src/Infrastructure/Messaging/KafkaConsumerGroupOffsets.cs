using Confluent.Kafka;
using Integrations.Application.ConsumerLag;

namespace Integrations.Infrastructure.Messaging;

/// <summary>
/// Committed offsets (OffsetFetch) and watermarks (ListOffsets) through a consumer per group that
/// never subscribes, so it never joins the group nor takes a partition from its members — the
/// way the outbox sweeper reads them; the partitions come from the topic's metadata.
/// </summary>
public sealed class KafkaConsumerGroupOffsets(KafkaClientFactory clients) : IConsumerGroupOffsets, IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);

    private readonly Lazy<IAdminClient> _admin = new(clients.CreateAdminClient);
    private readonly Dictionary<string, IConsumer<string, string>> _readers = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _gate = new(1, 1);

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
                var reader = Reader(groupId);
                var committed = reader.Committed(partitions, Timeout).ToDictionary(c => c.Partition.Value, c => c.Offset);
                return (IReadOnlyList<PartitionOffsets>)partitions.Select(tp =>
                {
                    var watermarks = reader.QueryWatermarkOffsets(tp, Timeout);
                    var offset = committed.GetValueOrDefault(tp.Partition.Value, Offset.Unset);
                    return new PartitionOffsets(tp.Partition.Value, offset.IsSpecial ? null : offset.Value, watermarks.Low.Value, watermarks.High.Value);
                }).ToList();
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

    private IConsumer<string, string> Reader(string groupId)
    {
        if (!_readers.TryGetValue(groupId, out var reader))
            _readers[groupId] = reader = clients.CreateConsumer(groupId, _ => { });
        return reader;
    }

    public void Dispose()
    {
        foreach (var reader in _readers.Values) reader.Dispose();
        if (_admin.IsValueCreated) _admin.Value.Dispose();
        _gate.Dispose();
    }
}
