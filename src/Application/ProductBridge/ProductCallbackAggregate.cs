using Integrations.Application.Common.EventSourcing;
using Integrations.Application.Common.Exceptions;
using Integrations.Domain.ProductBridge;

namespace Integrations.Application.ProductBridge;

/// <summary>Runs an action against a tenant's callback; a tenant without one gets "not found".</summary>
public sealed class ProductCallbackAggregate(AggregateStore aggregates)
{
    public static NotFoundException NotFound() => new("product_callback_not_found", "No product callback is configured for this tenant.");

    public async Task<ProductCallbackState> LoadAsync(Guid tenantId, CancellationToken ct)
    {
        var loaded = await aggregates.LoadAsync(ProductCallbackDecider.Decider, ProductCallbackDecider.StreamId(tenantId), tenantId, ct);
        return loaded.State.Configured ? loaded.State : throw NotFound();
    }

    /// <summary>Configuring needs no callback yet; the other actions do.</summary>
    public async Task<Decided<ProductCallbackState, IProductCallbackEvent>> HandleAsync(Guid tenantId, ProductCallbackAction action, CancellationToken ct)
    {
        var streamId = ProductCallbackDecider.StreamId(tenantId);
        var loaded = await aggregates.LoadAsync(ProductCallbackDecider.Decider, streamId, tenantId, ct);
        if (action is not ConfigureProductCallback && !loaded.State.Configured) throw NotFound();
        return (await aggregates.HandleAsync(ProductCallbackDecider.Decider, [new StreamCommands<ProductCallbackAction>(streamId, tenantId, [action])], ct,
            new Dictionary<string, Loaded<ProductCallbackState>> { [streamId] = loaded }))[0];
    }
}
