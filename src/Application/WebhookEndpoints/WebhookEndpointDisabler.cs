using System.Text.Json;
using Integrations.Application.Common;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Events;
using Integrations.Domain.EventTypes;
using Integrations.Domain.Webhooks;

namespace Integrations.Application.WebhookEndpoints;

/// <summary>
/// Disables an endpoint in the caller's transaction: for its tenant (<c>DisableWebhookEndpointCommand</c>,
/// reason "manual") and for the delivery side (<c>RecordDeliveryAttemptsCommand</c>: "gone" after a
/// 410, "consecutive_failures"). Every transition to disabled also records the platform event
/// webhook_endpoint.disabled for the tenant, through the same path as ingested events, so the tenant
/// hears of it on its other endpoints and on Kafka; the platform disabling it (not the tenant) also opens
/// the incident that notifies the tenant's admins (<see cref="WebhookEndpointIncidents"/>). Disabling a
/// disabled endpoint changes nothing and emits nothing.
/// </summary>
public sealed class WebhookEndpointDisabler(WebhookEndpointAggregate endpointAggregate, EventRecorder recorder, WebhookEndpointIncidents incidents, IClock clock)
{
    /// <param name="reason">One of <see cref="DisabledReasons"/>.</param>
    /// <param name="message">Shown to the tenant on the endpoint and in the event, e.g. the last error.</param>
    public async Task DisableAsync(Guid tenantId, Guid endpointId, string reason, string message, CancellationToken ct)
    {
        var result = await endpointAggregate.HandleAsync(tenantId, endpointId, new DisableWebhookEndpoint(reason, message, clock.UtcNow), ct);

        foreach (var disabled in result.Events.OfType<WebhookEndpointDisabled>())
        {
            var data = JsonSerializer.SerializeToElement(
                new DisabledEventData(disabled.EndpointId, result.State.Url, disabled.Reason, disabled.Message, disabled.DisabledAt), JsonDefaults.Options);
            await recorder.RecordAsync(tenantId, EventTypeCatalog.WebhookEndpointDisabled, data, ct);
            await incidents.DisabledAsync(result.State, disabled.Reason, disabled.Message, ct);
        }
    }

    /// <summary>The data of webhook_endpoint.disabled, as its catalog schema describes it.</summary>
    private sealed record DisabledEventData(Guid EndpointId, string Url, string Reason, string Message, DateTimeOffset DisabledAt);
}
