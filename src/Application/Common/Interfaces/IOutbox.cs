namespace Integrations.Application.Common.Interfaces;

/// <summary>
/// A message to publish once the surrounding transaction commits. When <see cref="AwaitsConsumer"/>
/// is set, a platform consumer must report completion; until then the sweeper republishes it.
/// </summary>
public sealed record OutboxMessage(
    Guid MessageId,
    string Topic,
    string Key,
    string Payload,
    IReadOnlyDictionary<string, string> Headers,
    bool AwaitsConsumer);

public interface IOutbox
{
    Task EnqueueAsync(OutboxMessage message, CancellationToken ct);
}
