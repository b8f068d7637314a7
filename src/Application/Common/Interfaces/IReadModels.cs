using System.Text.Json;
using Integrations.Application.Common.Listing;
using Integrations.Application.Common.Models;

namespace Integrations.Application.Common.Interfaces;

public sealed record TenantDto(Guid Id, string Name, string Plan, DateTimeOffset CreatedAt, long Version);

public static class ApiKeyStatuses
{
    public const string Active = "active";
    public const string Revoked = "revoked";
}

/// <param name="Status">active, or revoked (then <paramref name="RevokedAt"/> says when).</param>
public sealed record ApiKeyDto(Guid Id, Guid TenantId, string Prefix, string Status, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt);

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
    [property: System.ComponentModel.Description("The event's position in the platform's store: unique, fixed, and larger for an event accepted later (also the sequence header of its Kafka message). It may skip numbers.")] long Sequence);

public interface ITenantReadModel
{
    Task<TenantDto?> FindAsync(Guid tenantId, CancellationToken ct);

    Task<CursorPage<TenantDto>> ListAsync(ListQuery query, CancellationToken ct);
}

public interface IApiKeyReadModel
{
    Task<ApiKeyIdentity?> FindActiveByHashAsync(string keyHash, CancellationToken ct);

    Task<CursorPage<ApiKeyDto>> ListAsync(Guid tenantId, ListQuery query, CancellationToken ct);
}

public interface IEventReadModel
{
    Task<CursorPage<EventDto>> ListAsync(Guid tenantId, ListQuery query, CancellationToken ct);

    Task<EventDto?> FindAsync(Guid tenantId, Guid eventId, CancellationToken ct);

    /// <summary>The tenant's first event whose data names the command as <c>command_id</c>: the product's answer to it (docs/kafka-topics.md).</summary>
    Task<EventDto?> FindAnswerAsync(Guid tenantId, Guid commandId, CancellationToken ct);
}

/// <param name="Position">For an async projection, the global sequence of the last event it applied.</param>
public sealed record ProjectionProgress(string Name, bool Inline, long Position, DateTimeOffset? LastUpdatedAt);

public interface IProjectionStatus
{
    /// <summary>The event log's high-water mark (the last global sequence committed) and every projection's progress.</summary>
    Task<(long HighWaterMark, IReadOnlyList<ProjectionProgress> Projections)> ReadAsync(CancellationToken ct);
}

public interface IProjectionRebuilder
{
    IReadOnlyList<string> ProjectionNames { get; }

    /// <summary>Empties the projection's tables and replays the whole event log into them; returns events replayed.</summary>
    Task<long> RebuildAsync(string projectionName, CancellationToken ct);
}
