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
    public async Task<EventAcceptedDto> RecordAsync(Guid tenantId, string eventType, JsonElement data, CancellationToken ct) =>
        (await RecordManyAsync([new NewEvent(tenantId, eventType, data)], ct))[0];

    /// <summary>
    /// <see cref="RecordAsync"/> for many events of one tenant, set-based: one append and one outbox
    /// insert for the whole batch, in the caller's transaction. The events keep the given order
    /// everywhere: global sequence, outbox (hence the Kafka partition of the tenant) and the event
    /// list, whose (timestamp, id) order sees one timestamp and ascending ids.
    /// </summary>
    public Task<IReadOnlyList<EventAcceptedDto>> RecordBatchAsync(Guid tenantId, IReadOnlyList<(string EventType, JsonElement Data)> events, CancellationToken ct) =>
        RecordManyAsync(events.Select(e => new NewEvent(tenantId, e.EventType, e.Data)).ToList(), ct);

    /// <summary>
    /// <see cref="RecordBatchAsync"/> for events of any tenants, each stored with its own origin
    /// (the request that published it) when one is given: what a group commit writes.
    /// </summary>
    public async Task<IReadOnlyList<EventAcceptedDto>> RecordManyAsync(IReadOnlyList<NewEvent> events, CancellationToken ct)
    {
        var now = clock.UtcNow;
        // UUIDv7s of one millisecond are random after the timestamp; sorted (as PostgreSQL compares
        // uuids) they ascend in request order.
        var ids = events.Select(_ => Guid.CreateVersion7(now)).OrderBy(id => id.ToString("N"), StringComparer.Ordinal).ToList();
        var streams = ids.Select(IngestedEventDecider.StreamId).ToList();
        // The ids were generated just now: the streams cannot exist, so they are not read first.
        var fresh = streams.ToDictionary(s => s, _ => new Loaded<IngestedEventState>(IngestedEventDecider.Decider.Initial, IEventStore.NoStream));
        var decided = await aggregates.HandleAsync(IngestedEventDecider.Decider,
            events.Select((e, i) => new StreamCommands<IngestedEventCommand>(streams[i], e.TenantId,
                [new AcceptEvent(ids[i], e.TenantId, e.EventType, e.Data.GetRawText(), now)], e.Origin)).ToList(), ct, fresh);

        await outbox.EnqueueAsync(events.Select((e, i) => EventEnvelope.ToOutboxMessage(
            new EventEnvelope(ids[i], e.EventType, e.TenantId, now, e.Data, EventEnvelope.CurrentSchemaVersion),
            decided[i].Append!.GlobalSequences[0], e.Origin?.CorrelationId ?? context.CorrelationId)).ToList(), ct);
        return events.Select((e, i) => new EventAcceptedDto(ids[i], e.EventType, now)).ToList();
    }
}

/// <summary>An event to record; <paramref name="Origin"/> is the publishing request's when it is not the current scope's.</summary>
public sealed record NewEvent(Guid TenantId, string EventType, JsonElement Data, RequestOrigin? Origin = null);
