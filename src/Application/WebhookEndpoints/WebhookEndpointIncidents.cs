using Integrations.Application.Notifications;
using Integrations.Domain.Notifications;
using Integrations.Domain.Webhooks;

namespace Integrations.Application.WebhookEndpoints;

/// <summary>
/// The webhook side of the incident log (ADR 0018): the platform disabling an endpoint (consecutive
/// failures, 410 Gone) opens webhook_endpoint.disabled for it; enabling or deleting it resolves it.
/// A tenant disabling its own endpoint is no failure and notifies no one. Notices name the endpoint by
/// its host and description only: its URL's path or query may carry a token.
/// </summary>
public sealed class WebhookEndpointIncidents(IncidentLog incidents)
{
    public async Task DisabledAsync(WebhookEndpointState endpoint, string reason, string message, CancellationToken ct)
    {
        if (reason == DisabledReasons.Manual) return;
        await incidents.OpenAsync(endpoint.TenantId, IncidentKinds.WebhookEndpointDisabled, endpoint.EndpointId,
            $"Webhook endpoint {Name(endpoint)} was disabled", message, ct);
    }

    public Task EnabledAsync(WebhookEndpointState endpoint, CancellationToken ct) =>
        incidents.ResolveAsync(endpoint.TenantId, IncidentKinds.WebhookEndpointDisabled, endpoint.EndpointId, $"Webhook endpoint {Name(endpoint)} was enabled again", ct);

    public Task DeletedAsync(WebhookEndpointState endpoint, CancellationToken ct) =>
        incidents.ResolveAsync(endpoint.TenantId, IncidentKinds.WebhookEndpointDisabled, endpoint.EndpointId, $"Webhook endpoint {Name(endpoint)} was deleted", ct);

    private static string Name(WebhookEndpointState endpoint)
    {
        var host = Uri.TryCreate(endpoint.Url, UriKind.Absolute, out var url) ? (url.IsDefaultPort ? url.Host : $"{url.Host}:{url.Port}") : "(no host)";
        return string.IsNullOrWhiteSpace(endpoint.Description) ? host : $"{host} ({endpoint.Description})";
    }
}
