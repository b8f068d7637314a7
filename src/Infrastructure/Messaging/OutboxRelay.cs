using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Integrations.Infrastructure.Messaging;

/// <summary>
/// Publishes outbox rows to Kafka (Workers host). One process leads at a time (see
/// <see cref="RelayLeadership"/>); the others poll for leadership. Each round produces up to
/// <see cref="OutboxOptions.BatchSize"/> messages at once (a bundle row's all, migration 0018),
/// awaits their acknowledgements together and records the verdicts in two statements.
/// At-least-once: a row is marked published only after Kafka acknowledged it, so a crash in
/// between publishes it again; consumers dedupe by id.
/// </summary>
public sealed class OutboxRelay(
    NpgsqlDataSource dataSource,
    KafkaProducer producer,
    IOptions<OutboxOptions> outboxOptions,
    IOptions<KafkaOptions> kafkaOptions,
    ILogger<OutboxRelay> logger) : BackgroundService
{
    private readonly OutboxOptions _options = outboxOptions.Value;
    private readonly OutboxQueue _queue = new(dataSource);
    // librdkafka reports every message within message.timeout.ms; the margin covers the report's own latency.
    private readonly TimeSpan _deliveryTimeout = TimeSpan.FromMilliseconds(kafkaOptions.Value.MessageTimeoutMs) + TimeSpan.FromSeconds(5);
    private volatile bool _isLeader;

    /// <summary>Whether this process currently publishes the outbox.</summary>
    public bool IsLeader => _isLeader;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var leadership = await RelayLeadership.TryAcquireAsync(dataSource, stoppingToken);
                if (leadership is not null)
                {
                    _isLeader = true;
                    logger.LogInformation("Leading the outbox relay");
                    await RelayAsync(leadership, stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                // Typically the database connection: leadership (if held) went with it.
                logger.LogWarning(ex, "Outbox relay failed; trying again in {Delay}", _options.LeadershipPollInterval);
            }
            finally
            {
                _isLeader = false;
            }
            await Task.Delay(_options.LeadershipPollInterval, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private async Task RelayAsync(RelayLeadership leadership, CancellationToken ct)
    {
        // While draining a backlog each round starts after the last row of the round before, so it
        // does not walk again the index entries of the rows just published (dead until vacuum). A
        // row that committed late with a lower id, or failed and backs off, is behind the cursor;
        // the round after the backlog is drained starts from the beginning again and finds it. A
        // round with a row not published also starts over, so later rows of its key cannot
        // overtake it.
        var after = 0L;
        while (!ct.IsCancellationRequested)
        {
            await leadership.EnsureHeldAsync(ct);
            var round = await PublishRoundAsync(after, ct);
            if (round.Full)
            {
                // A full batch means more is probably waiting: go again at once.
                after = round.AllPublished ? round.LastId : 0;
                continue;
            }
            var wasScanFromStart = after == 0;
            after = 0;
            if (wasScanFromStart) await leadership.WaitForWorkAsync(_options.PollInterval, ct);
        }
    }

    /// <returns>Full: the round reached <see cref="OutboxOptions.BatchSize"/> messages, so more is probably waiting.</returns>
    private async Task<(bool Full, long LastId, bool AllPublished)> PublishRoundAsync(long afterId, CancellationToken ct)
    {
        var rows = await _queue.NextBatchAsync(_options.BatchSize, afterId, ct);
        if (rows.Count == 0) return (false, afterId, true);

        var round = RelayRound.Start(producer, rows);
        await round.WaitAsync(_deliveryTimeout, ct);

        var published = new List<PublishedRow>(rows.Count);
        var failed = new Dictionary<string, List<long>>(StringComparer.Ordinal);
        // Keys with an earlier row not acknowledged in this round. Their later rows are not marked
        // published even if Kafka has them: they are sent again after the earlier row, so the last
        // copy on the topic is in order. Duplicates are fine, consumers dedupe by id.
        var held = new HashSet<(string Topic, string Key)>();
        for (var i = 0; i < rows.Count; i++)
        {
            var row = rows[i];
            if (held.Contains((row.Topic, row.Key))) continue;
            switch (round.Outcome(i))
            {
                case PublishOutcome.Published:
                    var position = round.Position(i);
                    published.Add(new PublishedRow(row.Id, position?.Partition.Value, position?.Offset is { IsSpecial: false } offset ? offset.Value : null));
                    break;
                case PublishOutcome.Failed:
                    var error = round.Error(i);
                    if (!failed.TryGetValue(error, out var ids)) failed[error] = ids = [];
                    ids.Add(row.Id);
                    held.Add((row.Topic, row.Key));
                    break;
                default:
                    held.Add((row.Topic, row.Key));
                    break;
            }
        }

        // The verdicts must be recorded even when shutdown began meanwhile: the messages are on Kafka.
        await _queue.MarkPublishedAsync(published, CancellationToken.None);
        foreach (var (error, ids) in failed)
        {
            await _queue.MarkFailedAsync(ids, error, _options.MaxRetryDelay, CancellationToken.None);
            logger.LogWarning("Could not publish {Count} outbox messages ({Error}); retrying with backoff", ids.Count, error);
        }
        logger.LogDebug("Relay round: {Selected} rows selected, {Published} published", rows.Count, published.Count);
        // Every row has at least one message, so a round of BatchSize rows is full too.
        return (rows.Sum(r => r.Payloads.Length) >= _options.BatchSize, rows[^1].Id, published.Count == rows.Count);
    }
}
