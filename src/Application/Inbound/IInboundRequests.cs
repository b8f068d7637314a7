namespace Integrations.Application.Inbound;

/// <summary>Where a request arrived: a provider-wide URL (<c>/inbound/{provider}</c>) or a tenant's source (<c>/inbound/sources/{id}</c>).</summary>
public sealed record InboundTarget(string? Provider, Guid? SourceId)
{
    /// <summary>The scope of replay keys and rejection counters: <c>provider:slack</c>, <c>source:{id}</c>.</summary>
    public string Key => Provider is not null ? $"provider:{Provider}" : $"source:{SourceId}";
}

/// <summary>A verified request, as written before it is acknowledged. Headers are only those the verifier read (never credentials).</summary>
public sealed record NewInboundRequest(
    Guid Id, DateTimeOffset ReceivedAt, InboundTarget Target, Guid? TenantId, string? ExternalAccountId, string? ReplayKey,
    string? ContentType, IReadOnlyDictionary<string, string> Headers, byte[] Body);

/// <summary>Processing statuses of an inbound request (the inbound log shows them).</summary>
public static class InboundStatuses
{
    public const string Pending = "pending";
    public const string Processed = "processed";
    /// <summary>No connection holds the account the payload names.</summary>
    public const string Unrouted = "unrouted";
    /// <summary>A source's request that failed verification: logged without its body, headers or replay key.</summary>
    public const string Rejected = "rejected";
    /// <summary>Processing failed in a way a retry would not mend (the payload cannot be recorded as an event); the error says why.</summary>
    public const string Failed = "failed";

    public static readonly IReadOnlyList<string> All = [Pending, Processed, Unrouted, Rejected, Failed];
}

/// <summary>One entry of a source's inbound log: when, whether it verified (and why not), the tenant it went to and what became of it.</summary>
public sealed record InboundRequestDto(Guid Id, DateTimeOffset ReceivedAt, bool Verified, string? RejectionReason, string Status, Guid? RoutedTenantId,
    IReadOnlyList<Guid> EventIds, string? ContentType, int BodyBytes, DateTimeOffset? ProcessedAt, string? Error);

/// <summary>Refused requests to a provider-wide URL (<c>POST /inbound/{provider}</c>) for one reason, counted (their bodies are never stored).</summary>
public sealed record InboundRejectionDto(string Provider, string Reason, long Count, DateTimeOffset FirstAt, DateTimeOffset LastAt);

/// <summary>The inbound requests and rejection counters (migration 0034).</summary>
public interface IInboundRequests
{
    /// <summary>Writes the request in the current transaction; false when one with the same replay key exists in its target (a replay), nothing written.</summary>
    Task<bool> TryRecordAsync(NewInboundRequest request, CancellationToken ct);

    /// <summary>Counts a refused request per target and reason; its body is never stored.</summary>
    Task CountRejectionAsync(InboundTarget target, string reason, CancellationToken ct);

    /// <summary>The provider-wide URLs' rejection counters, most recent first (a source's refusals are in its own log).</summary>
    Task<IReadOnlyList<InboundRejectionDto>> ListProviderRejectionsAsync(CancellationToken ct);

    /// <summary>Logs a source's refused request for its tenant (no body, no headers).</summary>
    Task LogRejectedAsync(Guid id, DateTimeOffset receivedAt, Guid sourceId, Guid tenantId, string reason, CancellationToken ct);

    /// <summary>A source's inbound log, only the tenant's own.</summary>
    Task<Common.Models.CursorPage<InboundRequestDto>> ListAsync(Guid tenantId, Guid sourceId, Common.Listing.ListQuery query, CancellationToken ct);

    /// <summary>The request's status, locked for this transaction; null when there is no such request.</summary>
    Task<string?> LockStatusAsync(Guid id, CancellationToken ct);

    Task CompleteAsync(Guid id, string status, IReadOnlyList<Guid> tenants, IReadOnlyList<Guid> eventIds, CancellationToken ct);

    /// <summary>Marks a still pending request failed for good, with why; false when it was not pending.</summary>
    Task<bool> FailAsync(Guid id, string error, CancellationToken ct);
}
