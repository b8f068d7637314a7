using Integrations.Application.DeadLetters;

namespace Integrations.Infrastructure.Persistence.ReadModels;

/// <summary>
/// Dead letters across tenants from <c>webhook_deliveries</c>: the rows with a <c>failed_at</c>, read
/// through the partial indexes of migration 0015 (tenant_failed for the counts, dead_letters per endpoint).
/// </summary>
public sealed class DeadLetterReadModel(DbSession session) : IDeadLetterReadModel
{
    public Task<IReadOnlyList<TenantDeadLettersDto>> ListTenantsAsync(int limit, CancellationToken ct) =>
        session.RunAsync<IReadOnlyList<TenantDeadLettersDto>>(async (connection, transaction) =>
        {
            await using var command = Sql.Command(connection, transaction, """
                select tenant_id, count(*), count(distinct endpoint_id)::int, min(failed_at), max(failed_at)
                from webhook_deliveries where failed_at is not null
                group by tenant_id order by count(*) desc, tenant_id limit @limit
                """, ("limit", limit));
            await using var reader = await command.ExecuteReaderAsync(ct);
            var rows = new List<TenantDeadLettersDto>();
            while (await reader.ReadAsync(ct))
                rows.Add(new TenantDeadLettersDto(reader.GetGuid(0), reader.GetInt64(1), reader.GetInt32(2),
                    reader.GetFieldValue<DateTimeOffset>(3), reader.GetFieldValue<DateTimeOffset>(4)));
            return rows;
        }, ct);

    public Task<IReadOnlyList<Guid>> ListEndpointsAsync(Guid tenantId, CancellationToken ct) =>
        session.RunAsync<IReadOnlyList<Guid>>(async (connection, transaction) =>
        {
            await using var command = Sql.Command(connection, transaction,
                "select distinct endpoint_id from webhook_deliveries where tenant_id = @tenant_id and failed_at is not null order by endpoint_id",
                ("tenant_id", tenantId));
            await using var reader = await command.ExecuteReaderAsync(ct);
            var ids = new List<Guid>();
            while (await reader.ReadAsync(ct)) ids.Add(reader.GetGuid(0));
            return ids;
        }, ct);
}
