using System.Buffers;
using System.Text.Json;

namespace Integrations.Application.WebhookDeliveries;

/// <summary>
/// The body of a webhook POST (docs/webhooks.md): <c>{id, event_type, timestamp, data, webhook_id, endpoint_id}</c>,
/// where <c>id</c> is the event's id and <c>webhook_id</c> the delivery's. The same on every
/// retry, so the receiver can deduplicate by webhook_id and the signature covers exactly these bytes.
/// </summary>
public static class WebhookPayload
{
    /// <param name="data">The event's data, already JSON: written as is, not re-parsed.</param>
    public static byte[] Body(Guid eventId, string eventType, DateTimeOffset timestamp, string data, Guid webhookId, Guid endpointId)
    {
        var buffer = new ArrayBufferWriter<byte>(data.Length + 256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("id", eventId);
            writer.WriteString("event_type", eventType);
            writer.WriteString("timestamp", timestamp.ToUniversalTime());
            writer.WritePropertyName("data");
            writer.WriteRawValue(data, skipInputValidation: true);
            writer.WriteString("webhook_id", webhookId);
            writer.WriteString("endpoint_id", endpointId);
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }
}
