using System.Text.Json;
using Integrations.Application.Common.Listing;
using Integrations.Application.Common.Models;
using Integrations.Domain.ProductBridge;

namespace Integrations.Application.ProductBridge;

/// <summary>What the tenant's callback made of a command: its answer after the retries, or why there was none.</summary>
/// <param name="ErrorKind">The webhook error kinds (timeout, connection_refused, ssrf_blocked, …); circuit_open when the callback had failed too often just before; secret_unreadable when no configured key decrypts its secret.</param>
public sealed record ProductCommandCallbackDto(int Attempts, int? StatusCode, string? ErrorKind, DateTimeOffset CompletedAt);

/// <summary>A command in the tenant's command log.</summary>
/// <param name="Status">published, delivered (the callback answered 2xx) or callback_failed.</param>
/// <param name="Callback">The callback's outcome, once there is one (only tenants with a callback get one).</param>
public sealed record ProductCommandDto(
    Guid Id,
    string Command,
    EntityTarget? Target,
    JsonElement Data,
    CommandOrigin Origin,
    string Status,
    ProductCommandCallbackDto? Callback,
    string CorrelationId,
    string? CausationId,
    DateTimeOffset IssuedAt);

/// <summary>The command log (product_commands, an inline projection of the command streams).</summary>
public interface IProductCommandReadModel
{
    Task<ProductCommandDto?> FindAsync(Guid tenantId, Guid commandId, CancellationToken ct);

    Task<CursorPage<ProductCommandDto>> ListAsync(Guid tenantId, ListQuery query, CancellationToken ct);

    /// <summary>The status of each command found among <paramref name="commands"/>, by id; commands of another tenant are not found.</summary>
    Task<IReadOnlyDictionary<Guid, string>> StatusesAsync(IReadOnlyCollection<(Guid TenantId, Guid CommandId)> commands, CancellationToken ct);
}

/// <summary>A tenant's callback as the tenant sees it: never with a secret.</summary>
/// <param name="PreviousSecretExpiresAt">Until when the secret before the last rotation still signs beside the current one.</param>
public sealed record ProductCallbackDto(string Url, DateTimeOffset? PreviousSecretExpiresAt, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>The tenants' callbacks (product_callbacks, an inline projection).</summary>
public interface IProductCallbackReadModel
{
    Task<ProductCallbackDto?> FindAsync(Guid tenantId, CancellationToken ct);

    /// <summary>The callbacks of those of <paramref name="tenantIds"/> that have one, secrets protected (encrypted).</summary>
    Task<IReadOnlyDictionary<Guid, ProductCallbackState>> FindTargetsAsync(IReadOnlyCollection<Guid> tenantIds, CancellationToken ct);
}

/// <param name="StatusCode">The callback's last answer, when it answered.</param>
public sealed record CallbackOutcome(bool Delivered, int Attempts, int? StatusCode, string? ErrorKind);

/// <summary>
/// POSTs a command to a tenant's callback, signed as webhooks are, through the SSRF-safe sender of
/// webhooks, retrying with backoff what may pass later (ProductBridge:Callback* settings).
/// </summary>
public interface IProductCallbackSender
{
    /// <param name="body">The command's envelope exactly as it is on the topic: the bytes that are signed and sent.</param>
    Task<CallbackOutcome> SendAsync(ProductCallbackState callback, Guid commandId, string body, CancellationToken ct);
}
