namespace Integrations.Application.DeadLetters;

/// <param name="DeadLetters">Webhook deliveries of the tenant that are dead-lettered now (status failed).</param>
/// <param name="Endpoints">How many of its endpoints they belong to.</param>
public sealed record TenantDeadLettersDto(Guid TenantId, long DeadLetters, int Endpoints, DateTimeOffset OldestFailedAt, DateTimeOffset NewestFailedAt);

/// <summary>The dead-letter queue of webhook deliveries across tenants, for the operator.</summary>
public interface IDeadLetterReadModel
{
    /// <summary>Tenants with dead letters, most first (ties by tenant id), at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<TenantDeadLettersDto>> ListTenantsAsync(int limit, CancellationToken ct);

    /// <summary>The endpoints of the tenant that have dead letters.</summary>
    Task<IReadOnlyList<Guid>> ListEndpointsAsync(Guid tenantId, CancellationToken ct);
}
