using Integrations.Application.Common.Listing;
using Integrations.Application.Common.Models;
using Integrations.Domain.Webhooks;

namespace Integrations.Application.Common.Interfaces;

/// <summary>The wire values of an endpoint's status.</summary>
public static class WebhookEndpointStatuses
{
    public const string Enabled = "enabled";
    public const string Disabled = "disabled";

    public static readonly IReadOnlyList<string> All = [Enabled, Disabled];
}

/// <summary>An endpoint as tenants see it: never with a secret.</summary>
public sealed record WebhookEndpointDto(
    Guid Id,
    string Url,
    IReadOnlyList<string> EventTypes,
    string? Description,
    int RateLimitPerMinute,
    string Status,
    string? DisabledReason,
    string? DisabledMessage,
    DateTimeOffset? DisabledAt,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>
/// What the delivery side needs to send to an endpoint. <see cref="Secrets"/> holds protected
/// (encrypted) values only: unprotect them with <see cref="ISecretProtector"/> just before signing.
/// </summary>
public sealed record WebhookEndpointTarget(
    Guid Id,
    Guid TenantId,
    string Url,
    IReadOnlyList<string> EventTypes,
    int RateLimitPerMinute,
    string Status,
    IReadOnlyList<EndpointSecret> Secrets,
    string Kind = EndpointKinds.Endpoint,
    IReadOnlyList<Domain.Connectors.RouteCondition>? Filter = null)
{
    public bool IsEnabled => Status == WebhookEndpointStatuses.Enabled;

    /// <summary>A REST hook (ADR 0022): its filter applies at fan-out, and a 410 Gone deletes it.</summary>
    public bool IsHook => Kind == EndpointKinds.Hook;

    /// <summary>The secrets that sign a delivery made at <paramref name="at"/>: the current one and any still inside its rotation overlap.</summary>
    public IEnumerable<EndpointSecret> SigningSecrets(DateTimeOffset at) => Secrets.Where(s => s.ExpiresAt is null || s.ExpiresAt > at);
}

/// <summary>The webhook_endpoints projection. Deleted endpoints are not in it.</summary>
public interface IWebhookEndpointReadModel
{
    Task<WebhookEndpointDto?> FindAsync(Guid tenantId, Guid endpointId, CancellationToken ct);

    /// <summary>Newest first, keyset-paginated.</summary>
    Task<CursorPage<WebhookEndpointDto>> ListAsync(Guid tenantId, ListQuery query, CancellationToken ct);

    /// <summary>The endpoint with its URL, rate limit, status and protected secrets, whatever its status.</summary>
    Task<WebhookEndpointTarget?> FindTargetAsync(Guid tenantId, Guid endpointId, CancellationToken ct);

    /// <summary>The tenant's enabled endpoints subscribed to <paramref name="eventType"/> or to "*".</summary>
    Task<IReadOnlyList<WebhookEndpointTarget>> ListSubscribedAsync(Guid tenantId, string eventType, CancellationToken ct);
}
