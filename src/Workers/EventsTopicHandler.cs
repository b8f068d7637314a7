using System.Text.Json;
using Confluent.Kafka;
using Integrations.Application.Common;
using Integrations.Application.EventDispatch.Commands.DispatchEvents;
using Integrations.Application.Events;
using Integrations.Application.WebhookDeliveries;
using Integrations.Infrastructure.Messaging;
using MediatR;

namespace Integrations.Workers;

/// <summary>
/// The Workers host's one consumer of integrations.events.v1: a batch of accepted events per
/// transaction, each marked dispatched, fanned out to webhook deliveries and connector calls and its
/// outbox row completed (see <see cref="DispatchEventsCommand"/>). Redelivery is harmless.
/// </summary>
public sealed class EventsTopicHandler(IMediator mediator, ILogger<EventsTopicHandler> logger) : IBatchMessageHandler
{
    /// <summary>The consumer group: it dispatches the events (and fans them out to webhook deliveries).</summary>
    public const string Group = "integrations.workers.events-dispatch";

    /// <summary>
    /// The group's id until it was named for what it does. It was the fan-out-only group's id, kept
    /// when the group began to dispatch too (so that upgrade skipped nothing; what the retired
    /// per-message group integrations.workers.events had not completed was republished by the outbox
    /// sweeper). An upgraded host starts each partition where this group committed
    /// (<see cref="IBatchMessageHandler.FormerGroupIds"/>): nothing is consumed again from the beginning, nothing skipped.
    /// </summary>
    public const string FormerGroup = "integrations.workers.webhook-fanout";

    public string Topic => Topics.Events;

    public string GroupId => Group;

    public IReadOnlyList<string> FormerGroupIds => [FormerGroup];

    public int MaxBatchSize => 500;

    public async Task HandleBatchAsync(IReadOnlyList<ConsumeResult<string, string>> messages, CancellationToken ct)
    {
        var events = new List<FanOutEvent>(messages.Count);
        foreach (var message in messages)
        {
            if (TryParse(message.Message.Value) is { } envelope) events.Add(new FanOutEvent(envelope.Id, envelope.TenantId, envelope.EventType, envelope.Timestamp, envelope.Data));
            // A message that does not parse never will: retrying would block its partition forever.
            else logger.LogError("Skipping unreadable message at {Message}: not an event envelope", message.TopicPartitionOffset);
        }
        if (events.Count == 0) return;
        // Once committed, the deliveries it created wake this process's webhook-delivery pipeline at once, if it runs one (WebhookDeliveryListener).
        await mediator.Send(new DispatchEventsCommand(events), ct);
    }

    /// <summary>The envelope of a message, or null when it is not one.</summary>
    public static EventEnvelope? TryParse(string? json)
    {
        if (string.IsNullOrEmpty(json)) return null;
        try
        {
            var envelope = EventEnvelope.Parse(json);
            return envelope.Id == Guid.Empty || envelope.TenantId == Guid.Empty ? null : envelope;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
