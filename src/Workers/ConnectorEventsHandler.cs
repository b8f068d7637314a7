using System.Text.Json;
using Confluent.Kafka;
using Integrations.Application.Common;
using Integrations.Application.Connectors.Pipelines.Routing;
using Integrations.Application.Events;
using Integrations.Infrastructure.Messaging;
using MediatR;

namespace Integrations.Workers;

/// <summary>
/// The connectors pipeline's consumer of integrations.events.v1, in a consumer group of its own (so a
/// slow provider never holds up event dispatch or webhooks, and this consumer never waits for a
/// provider): a batch of events at a time becomes connector calls in the ledger
/// (<see cref="RouteEventsCommand"/>), committed before the batch's offsets are. Redelivery is harmless.
/// </summary>
public sealed class ConnectorEventsHandler(IMediator mediator, ILogger<ConnectorEventsHandler> logger) : IBatchMessageHandler
{
    public const string Group = "integrations.workers.connectors";

    public string Topic => Topics.Events;

    public string GroupId => Group;

    public int MaxBatchSize => 500;

    public async Task HandleBatchAsync(IReadOnlyList<ConsumeResult<string, string>> messages, CancellationToken ct)
    {
        var events = new List<RoutedEvent>(messages.Count);
        foreach (var message in messages)
        {
            if (EventsTopicHandler.TryParse(message.Message.Value) is { } e) events.Add(new RoutedEvent(e.Id, e.TenantId, e.EventType, e.Timestamp, e.Data));
            // A message that does not parse never will: retrying would block its partition forever.
            else logger.LogError("Skipping unreadable message at {Message}: not an event envelope", message.TopicPartitionOffset);
        }
        if (events.Count == 0) return;
        // Once committed, the calls wake this process's call pipeline at once (ConnectorCallWakeups).
        await mediator.Send(new RouteEventsCommand(events), ct);
    }
}
