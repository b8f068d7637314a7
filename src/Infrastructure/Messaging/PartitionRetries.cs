using System.Diagnostics;
using Confluent.Kafka;

namespace Integrations.Infrastructure.Messaging;

/// <summary>
/// Retries a failing message without skipping it and without stalling the consumer: its partition
/// is paused and rewound to the message, and resumed after a capped exponential backoff. Other
/// partitions keep flowing, and the consumer keeps polling, so it stays in its group however long
/// the failure lasts. Used from the consume thread only.
/// </summary>
internal sealed class PartitionRetries
{
    private static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(30);

    private readonly Dictionary<TopicPartition, Retry> _retries = [];

    /// <summary>Schedules the retry; returns which attempt failed and the delay before the next.</summary>
    public (int Attempt, TimeSpan Delay) Failed(IConsumer<string, string> consumer, TopicPartitionOffset message)
    {
        var partition = message.TopicPartition;
        var attempt = _retries.TryGetValue(partition, out var previous) && previous.Offset == message.Offset ? previous.Attempt + 1 : 1;
        var delay = TimeSpan.FromTicks(Math.Min(MaxDelay.Ticks, FirstDelay.Ticks << Math.Min(attempt - 1, 20)));
        // Pause first: pausing rewinds the fetch position to after the last message returned, the seek then moves it back.
        consumer.Pause([partition]);
        consumer.Seek(message);
        _retries[partition] = new Retry(message.Offset, attempt, Stopwatch.GetTimestamp() + (long)(delay.TotalSeconds * Stopwatch.Frequency), Paused: true);
        return (attempt, delay);
    }

    public void Succeeded(TopicPartition partition) => _retries.Remove(partition);

    public void ResumeDue(IConsumer<string, string> consumer)
    {
        if (_retries.Count == 0) return;
        var now = Stopwatch.GetTimestamp();
        foreach (var (partition, retry) in _retries.Where(r => r.Value.Paused && r.Value.ResumeAt <= now).ToList())
        {
            consumer.Resume([partition]);
            _retries[partition] = retry with { Paused = false };
        }
    }

    /// <summary>The partitions went to another member, which retries on its own: resume them so a later assignment does not start paused.</summary>
    public void Forget(IConsumer<string, string> consumer, IReadOnlyList<TopicPartition> partitions)
    {
        var paused = partitions.Where(p => _retries.TryGetValue(p, out var r) && r.Paused).ToList();
        if (paused.Count > 0) consumer.Resume(paused);
        foreach (var partition in partitions) _retries.Remove(partition);
    }

    private sealed record Retry(Offset Offset, int Attempt, long ResumeAt, bool Paused);
}
