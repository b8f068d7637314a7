using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Messaging;
using MediatR;

namespace Integrations.Application.ConsumerLag.Queries.GetConsumerLag;

/// <param name="Committed">The group's committed offset; null when it has committed nothing on the partition yet.</param>
/// <param name="Lag">Messages retained on the partition that the group has not committed past.</param>
public sealed record PartitionLagDto(int Partition, long? Committed, long HighWatermark, long Lag);

/// <param name="Lag">The sum over the partitions; null when the broker did not answer (<see cref="Error"/>).</param>
public sealed record ConsumerGroupLagDto(string Group, string Topic, long? Lag, IReadOnlyList<PartitionLagDto> Partitions, string? Error);

public sealed record ConsumerLagDto(DateTimeOffset GeneratedAt, IReadOnlyList<ConsumerGroupLagDto> Groups);

/// <summary>Admin: how far each of the platform's consumer groups is behind its topic, worst first.</summary>
public sealed record GetConsumerLagQuery : IQuery<ConsumerLagDto>;

public sealed class GetConsumerLagQueryHandler(IConsumerGroupOffsets offsets, IClock clock) : IRequestHandler<GetConsumerLagQuery, ConsumerLagDto>
{
    public async Task<ConsumerLagDto> Handle(GetConsumerLagQuery request, CancellationToken cancellationToken)
    {
        var groups = new List<ConsumerGroupLagDto>();
        foreach (var (group, topic) in PlatformConsumerGroups.All)
        {
            try
            {
                var partitions = (await offsets.ReadAsync(group, topic, cancellationToken))
                    .Select(p => new PartitionLagDto(p.Partition, p.Committed, p.HighWatermark,
                        // Nothing committed: the group starts from the earliest retained message (auto.offset.reset=earliest).
                        Math.Max(0, p.HighWatermark - (p.Committed ?? p.LowWatermark))))
                    .OrderBy(p => p.Partition)
                    .ToList();
                groups.Add(new ConsumerGroupLagDto(group, topic, partitions.Sum(p => p.Lag), partitions, null));
            }
            catch (ConsumerOffsetsUnavailableException ex)
            {
                groups.Add(new ConsumerGroupLagDto(group, topic, null, [], ex.Message));
            }
        }
        // Unknown (broker silent) first, then the most behind.
        return new ConsumerLagDto(clock.UtcNow, groups.OrderBy(g => g.Lag is null ? 0 : 1).ThenByDescending(g => g.Lag).ThenBy(g => g.Group, StringComparer.Ordinal).ToList());
    }
}
