using Integrations.Domain.Common;

namespace Integrations.Domain.ProductBridge;

// A tenant's optional HTTP callback for product commands: one URL per tenant, to which every
// command is also POSTed, signed as webhooks are (Standard Webhooks). Secrets are recorded only in
// protected (encrypted) form.

public interface IProductCallbackEvent
{
    Guid TenantId { get; }
}

public sealed record ProductCallbackConfigured(Guid TenantId, string Url, string ProtectedSecret, DateTimeOffset ConfiguredAt) : IProductCallbackEvent;

public sealed record ProductCallbackUrlChanged(Guid TenantId, string Url, DateTimeOffset ChangedAt) : IProductCallbackEvent;

/// <summary>The previous secret keeps signing beside the new one until <see cref="PreviousSecretExpiresAt"/>.</summary>
public sealed record ProductCallbackSecretRotated(Guid TenantId, string ProtectedSecret, DateTimeOffset PreviousSecretExpiresAt, DateTimeOffset RotatedAt)
    : IProductCallbackEvent;

public sealed record ProductCallbackRemoved(Guid TenantId, DateTimeOffset RemovedAt) : IProductCallbackEvent;

public abstract record ProductCallbackAction;

/// <param name="ProtectedSecret">The secret a new callback starts with; a configured one keeps its own.</param>
public sealed record ConfigureProductCallback(Guid TenantId, string Url, string ProtectedSecret, DateTimeOffset Now) : ProductCallbackAction;

public sealed record RotateProductCallbackSecret(string ProtectedSecret, TimeSpan Overlap, DateTimeOffset Now) : ProductCallbackAction;

public sealed record RemoveProductCallback(DateTimeOffset Now) : ProductCallbackAction;

/// <param name="PreviousSecret">The secret before the last rotation, signing until <paramref name="PreviousSecretExpiresAt"/>.</param>
public sealed record ProductCallbackState(Guid TenantId, bool Configured, string Url, string CurrentSecret, string? PreviousSecret, DateTimeOffset? PreviousSecretExpiresAt)
{
    public static readonly ProductCallbackState None = new(Guid.Empty, false, "", "", null, null);

    /// <summary>The protected secrets that sign a request sent at <paramref name="at"/>: the current one, and the previous one during its overlap.</summary>
    public IReadOnlyList<string> SigningSecrets(DateTimeOffset at) =>
        PreviousSecret is { } previous && PreviousSecretExpiresAt > at ? [CurrentSecret, previous] : [CurrentSecret];
}

public static class ProductCallbackDecider
{
    public static readonly Decider<ProductCallbackAction, ProductCallbackState, IProductCallbackEvent> Decider = new(Decide, Evolve, ProductCallbackState.None);

    /// <summary>One callback per tenant: the stream is named by the tenant.</summary>
    public static string StreamId(Guid tenantId) => $"product_callback-{tenantId:N}";

    public static DomainException NotFound() => new("product_callback_not_found", "No product callback is configured.");

    public static IReadOnlyList<IProductCallbackEvent> Decide(ProductCallbackAction action, ProductCallbackState state) => action switch
    {
        ConfigureProductCallback c when !state.Configured => [new ProductCallbackConfigured(c.TenantId, c.Url, c.ProtectedSecret, c.Now)],
        ConfigureProductCallback c when c.Url == state.Url => [],
        ConfigureProductCallback c => [new ProductCallbackUrlChanged(state.TenantId, c.Url, c.Now)],
        _ when !state.Configured => throw NotFound(),
        RotateProductCallbackSecret c => [new ProductCallbackSecretRotated(state.TenantId, c.ProtectedSecret, c.Now + c.Overlap, c.Now)],
        RemoveProductCallback c => [new ProductCallbackRemoved(state.TenantId, c.Now)],
        _ => throw new ArgumentOutOfRangeException(nameof(action), action.GetType().Name, "Unknown product callback action."),
    };

    public static ProductCallbackState Evolve(ProductCallbackState state, IProductCallbackEvent @event) => @event switch
    {
        // Configured again after a removal: a new callback with a new secret, nothing of the old one.
        ProductCallbackConfigured e => new ProductCallbackState(e.TenantId, true, e.Url, e.ProtectedSecret, null, null),
        ProductCallbackUrlChanged e => state with { Url = e.Url },
        ProductCallbackSecretRotated e => state with
        {
            CurrentSecret = e.ProtectedSecret, PreviousSecret = state.CurrentSecret, PreviousSecretExpiresAt = e.PreviousSecretExpiresAt,
        },
        ProductCallbackRemoved => ProductCallbackState.None with { TenantId = state.TenantId },
        _ => state,
    };
}
