using System.Text.Json;
using Confluent.Kafka;
using Integrations.Application.Common;
using Integrations.Application.Inbound;
using Integrations.Application.Inbound.Pipelines;
using Integrations.Infrastructure.Messaging;

namespace Integrations.Workers;

/// <summary>
/// The Workers host's consumer of integrations.inbound.v1 (pipeline inbound): a batch of verified
/// requests is handed to <see cref="InboundProcessing"/>, which routes each to its tenants and records
/// their inbound.received events; the offsets are committed after that, so nothing is lost when the
/// process dies (a redelivered request is found processed and skipped).
/// </summary>
public sealed class InboundTopicHandler(InboundProcessing processing, ILogger<InboundTopicHandler> logger) : IBatchMessageHandler
{
    public const string Group = "integrations.workers.inbound";

    public string Topic => Topics.Inbound;

    public string GroupId => Group;

    public int MaxBatchSize => 200;

    public async Task HandleBatchAsync(IReadOnlyList<ConsumeResult<string, string>> messages, CancellationToken ct)
    {
        var envelopes = new List<InboundEnvelope>(messages.Count);
        foreach (var message in messages)
        {
            if (TryParse(message.Message.Value) is { } envelope) envelopes.Add(envelope);
            // A message that does not parse never will: retrying would block its partition forever.
            else logger.LogError("Skipping unreadable message at {Message}: not an inbound request", message.TopicPartitionOffset);
        }
        if (envelopes.Count > 0) await processing.ProcessAsync(envelopes, ct);
    }

    private static InboundEnvelope? TryParse(string? json)
    {
        if (string.IsNullOrEmpty(json)) return null;
        try
        {
            var envelope = InboundEnvelope.Parse(json);
            return envelope.Id == Guid.Empty || envelope.BodyBase64 is null ? null : envelope;
        }
        catch (Exception e) when (e is JsonException or FormatException)
        {
            return null;
        }
    }
}
