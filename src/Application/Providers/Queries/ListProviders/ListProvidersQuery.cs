using Integrations.Application.Common.Messaging;
using Integrations.Domain.Connections;
using MediatR;

namespace Integrations.Application.Providers.Queries.ListProviders;

/// <param name="Quotas">The provider's documented quotas we keep to: "connection" ones per connection, "provider" ones across all.</param>
public sealed record QuotaDto(int Limit, int PeriodSeconds, string Per);

/// <param name="Oauth">Null for providers that do not use OAuth (named so it is written "oauth").</param>
/// <param name="Ready">Whether a connection can be made now (for OAuth code providers: our client id and secret are configured).</param>
/// <param name="SiteAuthKind">The auth kind whose connections name their own site in <c>settings.site</c> (Jira: <c>basic</c>, an API token); null when none does.</param>
public sealed record ProviderDto(string Id, string DisplayName, IReadOnlyList<string> AuthKinds, ProviderOAuthDto? Oauth,
    IReadOnlyList<string> Actions, IReadOnlyList<QuotaDto> Quotas, bool Ready, string? SiteAuthKind = null);

/// <param name="RefreshTokens">none, reusable, rotating or single_use.</param>
public sealed record ProviderOAuthDto(IReadOnlyList<string> DefaultScopes, bool Pkce, string RefreshTokens);

public sealed record ListProvidersQuery : IQuery<IReadOnlyList<ProviderDto>>;

public sealed class ListProvidersQueryHandler(IProviderCatalog catalog) : IRequestHandler<ListProvidersQuery, IReadOnlyList<ProviderDto>>
{
    public Task<IReadOnlyList<ProviderDto>> Handle(ListProvidersQuery request, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<ProviderDto>>(catalog.All.OrderBy(p => p.Id, StringComparer.Ordinal).Select(ToDto).ToList());

    private ProviderDto ToDto(ProviderDefinition p) => new(
        p.Id,
        p.DisplayName,
        p.AuthKinds,
        p.OAuth is { } oauth ? new ProviderOAuthDto(oauth.DefaultScopes, oauth.Pkce, RefreshTokens(oauth.RefreshTokens)) : null,
        p.Actions,
        [
            .. p.Limits.QuotasPerConnection.Select(q => new QuotaDto(q.Limit, (int)q.Period.TotalSeconds, "connection")),
            .. p.Limits.QuotasPerProvider.Select(q => new QuotaDto(q.Limit, (int)q.Period.TotalSeconds, "provider")),
        ],
        !p.Supports(AuthKinds.OAuth2Code) || catalog.HasOAuthClient(p.Id),
        p.SiteEndpoints?.AuthKind);

    public static string RefreshTokens(RefreshTokenBehaviour behaviour) => behaviour switch
    {
        RefreshTokenBehaviour.Reusable => "reusable",
        RefreshTokenBehaviour.Rotating => "rotating",
        RefreshTokenBehaviour.SingleUse => "single_use",
        _ => "none",
    };
}
