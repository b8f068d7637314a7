using Integrations.Application.Common.EventSourcing;
using Integrations.Domain.Marketplace;

namespace Integrations.Application.OAuth;

/// <summary>
/// Creates and revokes grants through their streams (one per grant, in the organisation's tenant),
/// in the caller's unit of work; the oauth_grants projection follows inline, so the next request
/// made with one of the grant's tokens sees it.
/// </summary>
public sealed class OAuthGrants(AggregateStore aggregates, IOAuthStore store)
{
    public async Task<GrantState> CreateAsync(GrantCommand command, Guid grantId, Guid tenantId, CancellationToken ct) =>
        (await aggregates.StartAsync(GrantDecider.Decider, GrantDecider.StreamId(grantId), command, tenantId, ct)).State;

    /// <summary>Revokes the organisation's live grants of a member and/or an app (null: any) in one append; returns how many.</summary>
    public async Task<int> RevokeLiveAsync(Guid tenantId, Guid? memberId, Guid? appId, string reason, DateTimeOffset at, CancellationToken ct) =>
        await RevokeAsync(tenantId, await store.LiveGrantIdsAsync(tenantId, memberId, appId, ct), reason, at, ct);

    /// <summary>Revokes the grants (of one organisation); a grant revoked already stays as it was. Returns how many were revoked now.</summary>
    public async Task<int> RevokeAsync(Guid tenantId, IReadOnlyList<Guid> grantIds, string reason, DateTimeOffset at, CancellationToken ct)
    {
        var decided = await aggregates.HandleAsync(GrantDecider.Decider,
            grantIds.Distinct().Select(id => new StreamCommands<GrantCommand>(GrantDecider.StreamId(id), tenantId, [new RevokeGrant(reason, at)])).ToList(), ct);
        return decided.Count(d => d.Events.Count > 0);
    }
}
