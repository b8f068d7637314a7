using System.Text.Json;
using Confluent.Kafka;
using Integrations.Application.Common;
using Integrations.Application.Events;
using Integrations.Application.WebhookDeliveries.Commands.FanOutEvents;
using Integrations.Infrastructure.Messaging;
using MediatR;

namespace Integrations.Workers;

/// <summary>
/// Turns accepted events from integrations.events.v1 into webhook deliveries, a batch of messages
/// per transaction, in a consumer group of its own: fan-out neither waits for nor delays the other
/// consumers of the topic. Redelivery is harmless (see <see cref="FanOutEventsCommand"/>).
/// </summary>
public sealed class WebhookFanOutHandler(IMediator mediator, ILogger<WebhookFanOutHandler> logger) : IBatchMessageHandler
{
    public const string Group = "integrations.workers.webhook-fanout";

    public string Topic => Topics.Events;

    public string GroupId => Group;

    public int MaxBatchSize => 500;

    public async Task HandleBatchAsync(IReadOnlyList<ConsumeResult<string, string>> messages, CancellationToken ct)
    {
        var events = new List<FanOutEvent>(messages.Count);
        foreach (var message in messages)
        {
            if (TryParse(message.Message.Value) is { } envelope) events.Add(new FanOutEvent(envelope.Id, envelope.TenantId, envelope.EventType));
            // A message that does not parse never will: retrying would block its partition forever.
            else logger.LogError("Skipping unreadable message at {Message}: not an event envelope", message.TopicPartitionOffset);
        }
        if (events.Count > 0) await mediator.Send(new FanOutEventsCommand(events), ct);
    }

    private static EventEnvelope? TryParse(string? json)
    {
        if (string.IsNullOrEmpty(json)) return null;
        try
        {
            var envelope = EventEnvelope.Parse(json);
            return envelope.Id == Guid.Empty || envelope.TenantId == Guid.Empty || string.IsNullOrEmpty(envelope.EventType) ? null : envelope;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
