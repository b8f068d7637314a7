using Integrations.Application.Common.Listing;
using Integrations.Application.Common.Models;
using Integrations.Domain.Inbound;

namespace Integrations.Application.Inbound;

/// <summary>A tenant's inbound source as the API shows it: never its secret.</summary>
/// <param name="Path">Where its sender posts, below the platform's public base URL.</param>
/// <param name="SilenceAlertAfterSeconds">The tenant is told when nothing verified arrived for this long; null: never.</param>
/// <param name="LastReceivedAt">The last verified request (refusals do not count); null before the first.</param>
public sealed record InboundSourceDto(Guid Id, string Name, SourceVerifierSpec Verifier, string Path, DateTimeOffset CreatedAt,
    int? SilenceAlertAfterSeconds, DateTimeOffset? LastReceivedAt);

/// <summary>A source with a silence alert, and when its silence began: its last verified request, or the alert's setting if later.</summary>
public sealed record WatchedInboundSource(Guid TenantId, Guid SourceId, string Name, int AfterSeconds, DateTimeOffset QuietSince);

/// <summary>The sources' read model (inbound_sources) and their sealed secrets (inbound_source_secrets).</summary>
public interface IInboundSources
{
    Task<InboundSourceDto?> FindAsync(Guid tenantId, Guid sourceId, CancellationToken ct);

    Task<CursorPage<InboundSourceDto>> ListAsync(Guid tenantId, ListQuery query, CancellationToken ct);

    /// <summary>Seals the secret (envelope encryption bound to tenant and source) in the current transaction.</summary>
    Task StoreSecretAsync(Guid tenantId, Guid sourceId, string secret, CancellationToken ct);

    Task EraseSecretAsync(Guid tenantId, Guid sourceId, CancellationToken ct);

    /// <summary>Every live source with a silence alert, across tenants (the Workers' silence watch).</summary>
    Task<IReadOnlyList<WatchedInboundSource>> ListWatchedAsync(CancellationToken ct);
}
