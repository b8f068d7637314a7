using System.Text.Json;
using Confluent.Kafka;
using Integrations.Application.Common;
using Integrations.Application.Events;
using Integrations.Application.Events.Commands.MarkEventDispatched;
using Integrations.Infrastructure.Messaging;
using MediatR;

namespace Integrations.Workers;

/// <summary>
/// Dispatches accepted events from integrations.events.v1. Redelivery is harmless: dispatching an
/// event twice changes nothing (see <see cref="MarkEventDispatchedCommand"/>).
/// </summary>
public sealed class EventsTopicHandler(IMediator mediator, ILogger<EventsTopicHandler> logger) : IMessageHandler
{
    public const string Group = "integrations.workers.events";

    public string Topic => Topics.Events;

    public string GroupId => Group;

    public async Task HandleAsync(ConsumeResult<string, string> message, CancellationToken ct)
    {
        if (TryParse(message.Message.Value) is not { } envelope)
        {
            // A message that does not parse never will: retrying would block its partition forever.
            logger.LogError("Skipping unreadable message at {Message}: not an event envelope", message.TopicPartitionOffset);
            return;
        }
        await mediator.Send(new MarkEventDispatchedCommand(envelope.TenantId, envelope.Id), ct);
    }

    private static EventEnvelope? TryParse(string? json)
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
