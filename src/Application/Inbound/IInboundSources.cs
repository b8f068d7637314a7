using Integrations.Application.Common.Listing;
using Integrations.Application.Common.Models;
using Integrations.Domain.Inbound;

namespace Integrations.Application.Inbound;

/// <summary>A tenant's inbound source as the API shows it: never its secret.</summary>
/// <param name="Path">Where its sender posts, below the platform's public base URL.</param>
public sealed record InboundSourceDto(Guid Id, string Name, SourceVerifierSpec Verifier, string Path, DateTimeOffset CreatedAt);

/// <summary>The sources' read model (inbound_sources) and their sealed secrets (inbound_source_secrets).</summary>
public interface IInboundSources
{
    Task<InboundSourceDto?> FindAsync(Guid tenantId, Guid sourceId, CancellationToken ct);

    Task<CursorPage<InboundSourceDto>> ListAsync(Guid tenantId, ListQuery query, CancellationToken ct);

    /// <summary>Seals the secret (envelope encryption bound to tenant and source) in the current transaction.</summary>
    Task StoreSecretAsync(Guid tenantId, Guid sourceId, string secret, CancellationToken ct);

    Task EraseSecretAsync(Guid tenantId, Guid sourceId, CancellationToken ct);
}
