namespace Integrations.Application.Connections;

/// <summary>
/// One record of ours linked to one record at the provider through a connection, for two-way sync:
/// each side is linked at most once per connection.
/// </summary>
/// <param name="EntityType">Our entity's type (e.g. task, ticket, invoice).</param>
/// <param name="EntityId">Our entity's id, as the product names it.</param>
/// <param name="ExternalType">The provider's record type (e.g. jira.issue, hubspot.contact).</param>
public sealed record ConnectionLink(
    Guid Id,
    Guid TenantId,
    Guid ConnectionId,
    string EntityType,
    string EntityId,
    string ExternalType,
    string ExternalId,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>
/// The link table of a connection (table connection_links), owned by the sync use cases that
/// create and follow links; every call names the tenant, and a connection's links go with it.
/// </summary>
public interface IConnectionLinks
{
    /// <summary>
    /// Links our entity with the external record, replacing what either side was linked to before
    /// (a record re-created at the provider, an entity merged on our side). Returns the link.
    /// </summary>
    Task<ConnectionLink> LinkAsync(Guid tenantId, Guid connectionId, string entityType, string entityId, string externalType, string externalId,
        CancellationToken ct);

    /// <summary>Removes the link of our entity; false when there was none.</summary>
    Task<bool> UnlinkAsync(Guid tenantId, Guid connectionId, string entityType, string entityId, CancellationToken ct);

    Task<ConnectionLink?> FindByEntityAsync(Guid tenantId, Guid connectionId, string entityType, string entityId, CancellationToken ct);

    Task<ConnectionLink?> FindByExternalAsync(Guid tenantId, Guid connectionId, string externalType, string externalId, CancellationToken ct);

    /// <summary>The connection's links, newest first by default, keyset-paginated.</summary>
    Task<Common.Models.CursorPage<ConnectionLink>> ListAsync(Guid tenantId, Guid connectionId, Common.Listing.ListQuery query, CancellationToken ct);

    /// <summary>Removes every link of the connection (it was deleted); returns how many.</summary>
    Task<int> RemoveConnectionAsync(Guid tenantId, Guid connectionId, CancellationToken ct);
}
