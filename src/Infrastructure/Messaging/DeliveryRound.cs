using System.Text;
using System.Text.Json;
using Confluent.Kafka;

namespace Integrations.Infrastructure.Messaging;

/// <summary>An outbox row as the relay publishes it.</summary>
internal sealed record OutboxRow(long Id, string Topic, string Key, string Payload, string HeadersJson);

internal enum DeliveryOutcome { Pending, Delivered, Failed }

/// <summary>
/// One relay round: every row is handed to the producer at once (librdkafka batches them per
/// partition) and the delivery reports are collected as they arrive on librdkafka's thread.
/// </summary>
internal sealed class DeliveryRound
{
    private static readonly TimeSpan ShutdownGrace = TimeSpan.FromSeconds(5);

    private readonly int[] _outcomes;
    private readonly string?[] _errors;
    private readonly TopicPartitionOffset?[] _positions;
    private readonly TaskCompletionSource _allReported = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _outstanding;

    private DeliveryRound(int count)
    {
        _outcomes = new int[count];
        _errors = new string?[count];
        _positions = new TopicPartitionOffset?[count];
        _outstanding = count;
        if (count == 0) _allReported.SetResult();
    }

    public static DeliveryRound Start(KafkaProducer producer, IReadOnlyList<OutboxRow> rows)
    {
        var round = new DeliveryRound(rows.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            var index = i;
            try
            {
                producer.Produce(rows[i].Topic, ToMessage(rows[i]), report =>
                    round.Report(index, report.Error.IsError ? report.Error.Reason : null, report.TopicPartitionOffset));
            }
            catch (KafkaException ex)
            {
                // Refused before queueing (local queue full, fatal producer state, invalid message).
                round.Report(index, ex.Error.Reason, null);
            }
        }
        return round;
    }

    /// <summary>
    /// Waits for every report, or gives up at the timeout; rows without a report stay
    /// <see cref="DeliveryOutcome.Pending"/>. On shutdown (<paramref name="ct"/>) it waits a little
    /// longer only, so acknowledged rows are still recorded and not published again by the next leader.
    /// </summary>
    public async Task WaitAsync(TimeSpan timeout, CancellationToken ct)
    {
        using var deadline = new CancellationTokenSource(timeout);
        using var onShutdown = ct.Register(() => deadline.CancelAfter(ShutdownGrace));
        await _allReported.Task.WaitAsync(deadline.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    public DeliveryOutcome Outcome(int index) => (DeliveryOutcome)Volatile.Read(ref _outcomes[index]);

    public string Error(int index) => Volatile.Read(ref _errors[index]) ?? "unknown error";

    /// <summary>Where a delivered row landed (partition and offset), for the sweeper.</summary>
    public TopicPartitionOffset? Position(int index) => Volatile.Read(ref _positions[index]);

    private void Report(int index, string? error, TopicPartitionOffset? position)
    {
        Volatile.Write(ref _errors[index], error);
        Volatile.Write(ref _positions[index], position);
        Volatile.Write(ref _outcomes[index], (int)(error is null ? DeliveryOutcome.Delivered : DeliveryOutcome.Failed));
        if (Interlocked.Decrement(ref _outstanding) == 0) _allReported.TrySetResult();
    }

    private static Message<string, string> ToMessage(OutboxRow row)
    {
        var headers = new Headers();
        foreach (var (name, value) in JsonSerializer.Deserialize<Dictionary<string, string>>(row.HeadersJson)!)
            headers.Add(name, Encoding.UTF8.GetBytes(value));
        return new Message<string, string> { Key = row.Key, Value = row.Payload, Headers = headers };
    }
}
