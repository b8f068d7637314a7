using System.Diagnostics;
using Confluent.Kafka;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Integrations.Infrastructure.Persistence;
using Npgsql;

namespace Integrations.Infrastructure.Messaging;

/// <summary>
/// Guarantees eventual completion (Workers host): a message that awaits a consumer and was not
/// completed within <see cref="OutboxOptions.CompletionTimeout"/> goes back to the relay, because
/// the broker may have lost it (the development broker keeps nothing across a restart, a topic may
/// be recreated, an unclean leader election drops messages). The timeout doubles with every
/// publication, up to an hour. Also deletes completed rows past retention.
/// <para>
/// An overdue message is republished only if its completing consumer group (see
/// <see cref="OutboxOptions.CompletingGroups"/>) demonstrably passed it or can no longer reach it:
/// the group's committed offset on its partition is beyond it, or the group has no lag there, or
/// the group never committed there (a consumer that never ran), or its offset is unknown (rows
/// published before the offsets were recorded, topics without a registered group). A message still
/// ahead of the group's committed offset is merely waiting in consumer lag (a backlog, a stopped
/// worker fleet): republishing it would only double the work. The broker is asked without joining
/// the group (no subscription, so no rebalance); if it cannot be asked, nothing is requeued that round.
/// </para>
/// Safe to run in several processes at once: each statement skips rows another one holds.
/// </summary>
public sealed class OutboxSweeper(
    NpgsqlDataSource dataSource,
    KafkaConsumerGroupOffsets groupOffsets,
    PostgresNotifier notifier,
    IOptions<OutboxOptions> options,
    ILogger<OutboxSweeper> logger) : BackgroundService
{
    private const int MaxRowsPerStatement = 10_000;
    private const int MaxPagesPerSweep = 20;
    private static readonly TimeSpan MaxRepublishDelay = TimeSpan.FromHours(1);
    private static readonly TimeSpan RetentionInterval = TimeSpan.FromHours(1);
    private static readonly TimeSpan BrokerQueryTimeout = TimeSpan.FromSeconds(5);

    private readonly OutboxOptions _options = options.Value;
    private long? _lastRetention;
    private long _resumeAfter;
    private bool _brokerUnreachableLogged;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_options.SweepInterval);
        try
        {
            do await SweepAsync(stoppingToken);
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }


    private async Task SweepAsync(CancellationToken ct)
    {
        try
        {
            await RequeueUncompletedAsync(ct);
            if (_lastRetention is null || Stopwatch.GetElapsedTime(_lastRetention.Value) >= RetentionInterval)
            {
                await DeleteExpiredAsync(ct);
                _lastRetention = Stopwatch.GetTimestamp();
            }
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            logger.LogWarning(ex, "Outbox sweep failed; trying again in {Interval}", _options.SweepInterval);
        }
    }

    private const string Overdue = """
        awaits_consumer and completed_at is null and published_at is not null
          and published_at < now() - @timeout
          and published_at < now() - least(@max_delay, @timeout * power(2, least(greatest(publish_count - 1, 0), 20)))
        """;

    /// <summary>
    /// Pages through the overdue rows in id order from where the last sweep stopped, requeuing those
    /// whose group passed them; at the end it starts again from the first.
    /// </summary>
    private async Task RequeueUncompletedAsync(CancellationToken ct)
    {
        for (var page = 0; page < MaxPagesPerSweep; page++)
        {
            var candidates = await OverduePageAsync(_resumeAfter, ct);
            if (candidates.Count == 0)
            {
                _resumeAfter = 0;
                return;
            }
            if (!await RequeueLostAsync(candidates, ct)) return; // the broker cannot be asked: the same page next time
            _resumeAfter = candidates[^1].Id;
            if (candidates.Count < _options.SweepPageSize)
            {
                _resumeAfter = 0;
                return;
            }
        }
    }

    private async Task<List<Candidate>> OverduePageAsync(long after, CancellationToken ct)
    {
        var candidates = new List<Candidate>();
        await using var select = dataSource.CreateCommand($"""
            select id, topic, kafka_partition, kafka_offset from outbox
            where id > @after and {Overdue}
            order by id
            limit @limit
            """);
        AddOverdueParameters(select);
        select.Parameters.AddWithValue("after", after);
        await using var reader = await select.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            candidates.Add(new Candidate(reader.GetInt64(0), reader.GetString(1),
                reader.IsDBNull(2) ? null : reader.GetInt32(2), reader.IsDBNull(3) ? null : reader.GetInt64(3)));
        return candidates;
    }

    /// <returns>False when the broker could not be asked how far the groups got (nothing requeued).</returns>
    private async Task<bool> RequeueLostAsync(List<Candidate> candidates, CancellationToken ct)
    {
        var progress = await GroupProgressAsync(candidates, ct);
        if (progress is null) return false;
        var lost = candidates.Where(c => ShouldRepublish(c, progress)).Select(c => c.Id).ToArray();
        if (lost.Length == 0)
        {
            logger.LogDebug("{Count} overdue outbox messages are still ahead of their consumer group; not republished", candidates.Count);
            return true;
        }

        // The time rule is checked again: another sweeper or the consumer may have got there meanwhile.
        await using var command = dataSource.CreateCommand($"""
            with overdue as (
                select id from outbox
                where id = any(@ids) and {Overdue}
                for update skip locked)
            update outbox o set published_at = null, next_attempt_at = now()
            from overdue where o.id = overdue.id
            """);
        AddOverdueParameters(command);
        command.Parameters.AddWithValue("ids", lost);
        var requeued = await command.ExecuteNonQueryAsync(ct);
        if (requeued == 0) return true;

        notifier.Signal(PostgresOutbox.Channel);
        logger.LogWarning("Requeued {Count} outbox messages their consumer passed or can no longer reach without completing them", requeued);
        return true;
    }

    private void AddOverdueParameters(NpgsqlCommand command)
    {
        command.Parameters.AddWithValue("timeout", _options.CompletionTimeout);
        command.Parameters.AddWithValue("max_delay", MaxRepublishDelay);
        command.Parameters.AddWithValue("limit", _options.SweepPageSize);
    }

    private bool ShouldRepublish(Candidate candidate, IReadOnlyDictionary<TopicPartition, GroupPosition> progress)
    {
        if (candidate.Partition is not { } partition || candidate.Offset is not { } offset) return true;
        if (!_options.CompletingGroups.ContainsKey(candidate.Topic)) return true;
        var position = progress[new TopicPartition(candidate.Topic, partition)];
        return position.Committed is not { } committed // the group never committed here: time rule
            || committed > offset                       // passed it without completing it
            || committed >= position.HighWatermark;     // caught up and it is still not completed
    }

    /// <summary>
    /// The completing group's committed offset and the high watermark of every partition the
    /// candidates landed on; null when the broker cannot be asked (nothing is requeued then).
    /// </summary>
    private async Task<IReadOnlyDictionary<TopicPartition, GroupPosition>?> GroupProgressAsync(List<Candidate> candidates, CancellationToken ct)
    {
        var byGroup = candidates
            .Where(c => c.Partition is not null && c.Offset is not null && _options.CompletingGroups.ContainsKey(c.Topic))
            .Select(c => new TopicPartition(c.Topic, c.Partition!.Value))
            .Distinct()
            .GroupBy(tp => _options.CompletingGroups[tp.Topic], StringComparer.Ordinal)
            .ToList();
        var progress = new Dictionary<TopicPartition, GroupPosition>();
        if (byGroup.Count == 0) return progress;
        try
        {
            foreach (var group in byGroup)
                foreach (var (partition, offsets) in await groupOffsets.ReadAsync(group.Key, group.ToList(), BrokerQueryTimeout, ct))
                    progress[partition] = new GroupPosition(offsets.Committed, offsets.HighWatermark);
            _brokerUnreachableLogged = false;
            return progress;
        }
        catch (KafkaException ex)
        {
            if (!_brokerUnreachableLogged)
                logger.LogWarning("Cannot read consumer group offsets from Kafka ({Reason}); republishing nothing until it answers", ex.Error.Reason);
            else
                logger.LogDebug("Cannot read consumer group offsets from Kafka ({Reason})", ex.Error.Reason);
            _brokerUnreachableLogged = true;
            return null;
        }
    }

    private sealed record Candidate(long Id, string Topic, int? Partition, long? Offset);

    private sealed record GroupPosition(long? Committed, long HighWatermark);

    private async Task DeleteExpiredAsync(CancellationToken ct)
    {
        int deleted;
        do
        {
            await using var command = dataSource.CreateCommand("""
                delete from outbox where id in (
                    select id from outbox where completed_at < now() - @retention
                    order by completed_at limit @limit
                    for update skip locked)
                """);
            command.Parameters.AddWithValue("retention", _options.RetentionPeriod);
            command.Parameters.AddWithValue("limit", MaxRowsPerStatement);
            deleted = await command.ExecuteNonQueryAsync(ct);
            if (deleted > 0) logger.LogInformation("Deleted {Count} completed outbox messages past retention", deleted);
        }
        while (deleted == MaxRowsPerStatement);
    }
}
