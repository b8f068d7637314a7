using Integrations.Application.Common.Exceptions;

namespace Integrations.Application.WebhookDeliveries;

public static class WebhookDeliveryErrors
{
    /// <summary>Another tenant's delivery is "not found" too: a 403 would confirm it exists (ADR 0005).</summary>
    public static NotFoundException NotFound() => new("webhook_delivery_not_found", "No such webhook delivery.");
}
