using System.Text;
using System.Text.Json;
using Confluent.Kafka;

namespace Integrations.Infrastructure.Messaging;

/// <summary>What a relay round knows of a row: no report yet, acknowledged by Kafka, or refused.</summary>
internal enum PublishOutcome { Pending, Published, Failed }

/// <summary>
/// One round of the <see cref="OutboxRelay"/>: every message of every row is handed to the producer
/// at once (librdkafka batches them per partition) and the delivery reports are collected as they
/// arrive on librdkafka's thread. A row is published when Kafka acknowledged all its messages.
/// </summary>
internal sealed class RelayRound
{
    private static readonly TimeSpan ShutdownGrace = TimeSpan.FromSeconds(5);

    // Per message; row i's messages are [_firstMessage[i], _firstMessage[i + 1]).
    private readonly int[] _outcomes;
    private readonly string?[] _errors;
    private readonly TopicPartitionOffset?[] _positions;
    private readonly int[] _firstMessage;
    private readonly TaskCompletionSource _allReported = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _outstanding;

    private RelayRound(IReadOnlyList<OutboxRow> rows)
    {
        _firstMessage = new int[rows.Count + 1];
        for (var i = 0; i < rows.Count; i++) _firstMessage[i + 1] = _firstMessage[i] + rows[i].Payloads.Length;
        var count = _firstMessage[^1];
        _outcomes = new int[count];
        _errors = new string?[count];
        _positions = new TopicPartitionOffset?[count];
        _outstanding = count;
        if (count == 0) _allReported.SetResult();
    }

    public static RelayRound Start(KafkaProducer producer, IReadOnlyList<OutboxRow> rows)
    {
        var round = new RelayRound(rows);
        for (var i = 0; i < rows.Count; i++)
        {
            var row = rows[i];
            for (var m = 0; m < row.Payloads.Length; m++)
            {
                var index = round._firstMessage[i] + m;
                try
                {
                    producer.Produce(row.Topic, ToMessage(row.Key, row.Payloads[m], row.HeadersJson[m]), report =>
                        round.Report(index, report.Error.IsError ? report.Error.Reason : null, report.TopicPartitionOffset));
                }
                catch (KafkaException ex)
                {
                    // Refused before queueing (local queue full, fatal producer state, invalid message).
                    round.Report(index, ex.Error.Reason, null);
                }
            }
        }
        return round;
    }

    /// <summary>
    /// Waits for every report, or gives up at the timeout; rows without a report stay
    /// <see cref="PublishOutcome.Pending"/>. On shutdown (<paramref name="ct"/>) it waits a little
    /// longer only, so acknowledged rows are still recorded and not published again by the next leader.
    /// </summary>
    public async Task WaitAsync(TimeSpan timeout, CancellationToken ct)
    {
        using var deadline = new CancellationTokenSource(timeout);
        using var onShutdown = ct.Register(() => deadline.CancelAfter(ShutdownGrace));
        await _allReported.Task.WaitAsync(deadline.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    /// <summary>Failed if any of the row's messages failed, pending if any has no report yet, else published.</summary>
    public PublishOutcome Outcome(int row)
    {
        var outcome = PublishOutcome.Published;
        for (var m = _firstMessage[row]; m < _firstMessage[row + 1]; m++)
        {
            var message = (PublishOutcome)Volatile.Read(ref _outcomes[m]);
            if (message == PublishOutcome.Failed) return PublishOutcome.Failed;
            if (message == PublishOutcome.Pending) outcome = PublishOutcome.Pending;
        }
        return outcome;
    }

    /// <summary>The first failed message's error.</summary>
    public string Error(int row)
    {
        for (var m = _firstMessage[row]; m < _firstMessage[row + 1]; m++)
            if (Volatile.Read(ref _errors[m]) is { } error) return error;
        return "unknown error";
    }

    /// <summary>Where a published one-message row landed (partition and offset), for the sweeper; null for a bundle, which no consumer completes.</summary>
    public TopicPartitionOffset? Position(int row) =>
        _firstMessage[row + 1] - _firstMessage[row] == 1 ? Volatile.Read(ref _positions[_firstMessage[row]]) : null;

    private void Report(int index, string? error, TopicPartitionOffset? position)
    {
        Volatile.Write(ref _errors[index], error);
        Volatile.Write(ref _positions[index], position);
        Volatile.Write(ref _outcomes[index], (int)(error is null ? PublishOutcome.Published : PublishOutcome.Failed));
        if (Interlocked.Decrement(ref _outstanding) == 0) _allReported.TrySetResult();
    }

    private static Message<string, string> ToMessage(string key, string payload, string headersJson)
    {
        var headers = new Headers();
        foreach (var (name, value) in JsonSerializer.Deserialize<Dictionary<string, string>>(headersJson)!)
            headers.Add(name, Encoding.UTF8.GetBytes(value));
        return new Message<string, string> { Key = key, Value = payload, Headers = headers };
    }
}
