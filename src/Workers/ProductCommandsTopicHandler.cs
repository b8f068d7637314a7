using System.Text.Json;
using Confluent.Kafka;
using Integrations.Application.Common;
using Integrations.Application.ProductBridge;
using Integrations.Application.ProductBridge.Pipelines;
using Integrations.Infrastructure.Messaging;

namespace Integrations.Workers;

/// <summary>
/// The Workers host's consumer of integrations.product-commands.v1 (pipeline product-callbacks): a
/// batch of commands is handed to <see cref="ProductCallbackDelivery"/>, which POSTs them to the
/// tenants' callbacks and records the outcomes; the batch's offsets are committed only after that
/// (the consume loop commits when this returns), so nothing is lost when the process dies.
/// </summary>
public sealed class ProductCommandsTopicHandler(ProductCallbackDelivery delivery, ILogger<ProductCommandsTopicHandler> logger) : IBatchMessageHandler
{
    /// <summary>The consumer group: it delivers the commands to the tenants' callbacks.</summary>
    public const string Group = "integrations.workers.product-callbacks";

    public string Topic => Topics.ProductCommands;

    public string GroupId => Group;

    /// <summary>Small: a batch waits for its slowest callback, and its offsets for the whole batch.</summary>
    public int MaxBatchSize => 100;

    public async Task HandleBatchAsync(IReadOnlyList<ConsumeResult<string, string>> messages, CancellationToken ct)
    {
        var commands = new List<ConsumedProductCommand>(messages.Count);
        foreach (var message in messages)
        {
            if (TryParse(message.Message.Value) is { } envelope) commands.Add(new ConsumedProductCommand(envelope.Id, envelope.TenantId, message.Message.Key, message.Message.Value));
            // A message that does not parse never will: retrying would block its partition forever.
            else logger.LogError("Skipping unreadable message at {Message}: not a product command", message.TopicPartitionOffset);
        }
        if (commands.Count > 0) await delivery.DeliverAsync(commands, ct);
    }

    private static ProductCommandEnvelope? TryParse(string? json)
    {
        if (string.IsNullOrEmpty(json)) return null;
        try
        {
            var envelope = ProductCommandEnvelope.Parse(json);
            return envelope.Id == Guid.Empty || envelope.TenantId == Guid.Empty ? null : envelope;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
