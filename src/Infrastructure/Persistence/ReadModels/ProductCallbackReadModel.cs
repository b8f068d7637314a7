using Integrations.Application.ProductBridge;
using Integrations.Domain.ProductBridge;

namespace Integrations.Infrastructure.Persistence.ReadModels;

/// <summary>The tenants' callbacks from <c>product_callbacks</c>; secrets leave only protected, for the delivery side.</summary>
public sealed class ProductCallbackReadModel(DbSession session) : IProductCallbackReadModel
{
    public Task<ProductCallbackDto?> FindAsync(Guid tenantId, CancellationToken ct) =>
        session.RunAsync(async (connection, transaction) =>
        {
            await using var command = Sql.Command(connection, transaction,
                "select url, previous_secret_expires_at, created_at, updated_at from product_callbacks where tenant_id = @tenant_id", ("tenant_id", tenantId));
            await using var reader = await command.ExecuteReaderAsync(ct);
            return await reader.ReadAsync(ct)
                ? new ProductCallbackDto(reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetFieldValue<DateTimeOffset>(1),
                    reader.GetFieldValue<DateTimeOffset>(2), reader.GetFieldValue<DateTimeOffset>(3))
                : null;
        }, ct);

    public Task<IReadOnlyDictionary<Guid, ProductCallbackState>> FindTargetsAsync(IReadOnlyCollection<Guid> tenantIds, CancellationToken ct) =>
        session.RunAsync<IReadOnlyDictionary<Guid, ProductCallbackState>>(async (connection, transaction) =>
        {
            await using var command = Sql.Command(connection, transaction,
                "select tenant_id, url, secret, previous_secret, previous_secret_expires_at from product_callbacks where tenant_id = any(@tenant_ids)",
                ("tenant_ids", tenantIds.ToArray()));
            await using var reader = await command.ExecuteReaderAsync(ct);
            var targets = new Dictionary<Guid, ProductCallbackState>();
            while (await reader.ReadAsync(ct))
            {
                targets[reader.GetGuid(0)] = new ProductCallbackState(reader.GetGuid(0), true, reader.GetString(1), reader.GetString(2),
                    reader.IsDBNull(3) ? null : reader.GetString(3), reader.IsDBNull(4) ? null : reader.GetFieldValue<DateTimeOffset>(4));
            }
            return targets;
        }, ct);
}
