using Integrations.Application.Common.Messaging;
using Integrations.Application.Connections;
using Integrations.Application.Connectors.Registrations;
using MediatR;

namespace Integrations.Application.Connectors.Queries.ListRegistrations;

/// <summary>A registration as its tenant sees it (<c>GET /api/v1/connections/{id}/registrations</c>).</summary>
public sealed record RegistrationDto(
    string Kind, string Status, string? ExternalId, string? Url, IReadOnlyList<string> Events, string? Filter, DateTimeOffset? ExpiresAt,
    DateTimeOffset? RegisteredAt, DateTimeOffset? LastCheckedAt, DateTimeOffset NextCheckAt, int FailuresInARow, string? LastError);

/// <summary>A connection's registrations: at most one per kind, so never paged.</summary>
public sealed record RegistrationList(IReadOnlyList<RegistrationDto> Data)
{
    public static RegistrationList Of(IReadOnlyList<RegistrationRecord> records) => new([.. records.Select(r => new RegistrationDto(
        r.Kind, r.Status, r.ExternalId, r.Url, r.Events, r.Filter, r.ExpiresAt, r.RegisteredAt, r.LastCheckedAt, r.NextCheckAt, r.FailuresInARow, r.LastError))]);
}

public sealed record ListRegistrationsQuery(Guid TenantId, Guid ConnectionId) : IQuery<RegistrationList>;

public sealed class ListRegistrationsQueryHandler(IConnectionReadModel connections, IProviderRegistrations registrations)
    : IRequestHandler<ListRegistrationsQuery, RegistrationList>
{
    public async Task<RegistrationList> Handle(ListRegistrationsQuery query, CancellationToken cancellationToken)
    {
        _ = await connections.FindAsync(query.TenantId, query.ConnectionId, cancellationToken) ?? throw ConnectionAggregate.NotFound();
        return RegistrationList.Of(await registrations.ListAsync(query.TenantId, query.ConnectionId, cancellationToken));
    }
}
