using System.Text.Json;
using Integrations.Application.Common.Models;

namespace Integrations.Application.Common.Interfaces;

public sealed record TenantDto(Guid Id, string Name, string Plan, DateTimeOffset CreatedAt, long Version);

public sealed record ApiKeyDto(Guid Id, Guid TenantId, string Prefix, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt);

/// <summary>What a valid, unrevoked API key authenticates as.</summary>
public sealed record ApiKeyIdentity(Guid KeyId, Guid TenantId, string Plan);

public sealed record EventDto(
    Guid Id,
    Guid TenantId,
    string EventType,
    JsonElement Data,
    DateTimeOffset Timestamp,
    string Status,
    DateTimeOffset? DispatchedAt,
    long Sequence);

public sealed record EventListQuery(Guid TenantId, int Limit, Cursor? Cursor, string? EventType);

public interface ITenantReadModel
{
    Task<TenantDto?> FindAsync(Guid tenantId, CancellationToken ct);
}

public interface IApiKeyReadModel
{
    Task<ApiKeyIdentity?> FindActiveByHashAsync(string keyHash, CancellationToken ct);

    Task<IReadOnlyList<ApiKeyDto>> ListAsync(Guid tenantId, CancellationToken ct);
}

public interface IEventReadModel
{
    Task<CursorPage<EventDto>> ListAsync(EventListQuery query, CancellationToken ct);

    Task<EventDto?> FindAsync(Guid tenantId, Guid eventId, CancellationToken ct);
}

public interface IProjectionRebuilder
{
    IReadOnlyList<string> ProjectionNames { get; }

    /// <summary>Empties the projection's tables and replays the whole event log into them; returns events replayed.</summary>
    Task<long> RebuildAsync(string projectionName, CancellationToken ct);
}
