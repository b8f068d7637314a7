using System.Text.Json;
using Integrations.Application.Common.EventSourcing;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Events.Commands.IngestEvent;
using Integrations.Domain.Events;

namespace Integrations.Application.Events;

/// <summary>
/// Records an event for a tenant: its stream, its read model row (inline projection) and its Kafka
/// message (outbox), in the caller's transaction. Shared by product ingestion and by the events the
/// platform itself emits, so both reach every channel the same way. Nothing is sent synchronously.
/// </summary>
public sealed class EventRecorder(AggregateStore aggregates, IOutbox outbox, IClock clock, IRequestContext context)
{
    public async Task<EventAcceptedDto> RecordAsync(Guid tenantId, string eventType, JsonElement data, CancellationToken ct)
    {
        var id = Guid.CreateVersion7();
        var now = clock.UtcNow;
        // The id was generated just now: the stream cannot exist, so it is not read first.
        var result = await aggregates.StartAsync(IngestedEventDecider.Decider, IngestedEventDecider.StreamId(id),
            new AcceptEvent(id, tenantId, eventType, data.GetRawText(), now), tenantId, ct);

        var envelope = new EventEnvelope(id, eventType, tenantId, now, data, EventEnvelope.CurrentSchemaVersion);
        await outbox.EnqueueAsync(EventEnvelope.ToOutboxMessage(envelope, result.Append!.GlobalSequences[0], context.CorrelationId), ct);
        return new EventAcceptedDto(id, eventType, now);
    }
}
