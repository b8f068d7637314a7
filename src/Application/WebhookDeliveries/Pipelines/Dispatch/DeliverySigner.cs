using Integrations.Application.Common.Interfaces;
using Integrations.Domain.Webhooks;

namespace Integrations.Application.WebhookDeliveries.Pipelines.Dispatch;

/// <summary>
/// The sign step: the body of a claimed delivery (<see cref="WebhookPayload"/>) and its Standard
/// Webhooks signature under every secret still signing at send time, decrypted for this request only.
/// </summary>
public sealed class DeliverySigner(ISecretProtector protector)
{
    /// <summary>The signed request; null when the stored URL is not one the policy accepts at all.</summary>
    public WebhookRequest? Sign(ClaimedDelivery delivery)
    {
        if (WebhookUrlPolicy.CheckSyntax(delivery.Url, out var url) is not null) return null;
        var now = DateTimeOffset.UtcNow;
        var timestamp = now.ToUnixTimeSeconds();
        var body = WebhookPayload.Body(delivery.EventId, delivery.EventType, delivery.EventTimestamp, delivery.Data, delivery.DeliveryId, delivery.EndpointId);
        // The secrets still signing at send time (as WebhookEndpointState.SigningSecrets), decrypted for this request only.
        var keys = delivery.Secrets
            .Where(s => s.ExpiresAt is null || s.ExpiresAt > now)
            .Select(s => WebhookSignature.SecretKey(protector.Unprotect(s.ProtectedSecret)));
        var signature = WebhookSignature.Header(delivery.DeliveryId.ToString(), timestamp, body, keys);
        return new WebhookRequest(url!, delivery.DeliveryId, timestamp, signature, body);
    }
}
