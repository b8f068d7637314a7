using Integrations.Application.Common.Interfaces;
using JasperFx;
using JasperFx.Events;

namespace Integrations.Infrastructure.Persistence.EventStore;

/// <summary>How our events sit in Marten's: tenant keys, metadata, and the <see cref="StoredEvent"/> the application sees.</summary>
public static class MartenEvents
{
    /// <summary>The header that holds who caused an event (an API key, a member, the platform).</summary>
    public const string ActorHeader = "actor";

    /// <summary>Marten's tenant id of a stream: our tenant's UUID, or Marten's default tenant for the platform's own streams.</summary>
    public static string TenantKey(Guid? tenantId) => tenantId is { } id ? id.ToString() : StorageConstants.DefaultTenantId;

    public static Guid? TenantOf(string? tenantKey) => Guid.TryParse(tenantKey, out var id) ? id : null;

    public static StoredEvent ToStored(IEvent e) => new(
        e.Id,
        e.StreamKey!,
        e.Version,
        e.Sequence,
        e.EventTypeName,
        e.Data,
        new EventMetadata(TenantOf(e.TenantId), e.CorrelationId, e.CausationId,
            e.Headers is { } headers && headers.TryGetValue(ActorHeader, out var actor) ? actor?.ToString() ?? "" : ""),
        e.Timestamp);
}
