using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Listing;
using Integrations.Application.Common.Models;
using Integrations.Application.OAuth;
using Integrations.Infrastructure.Persistence.Listing;

namespace Integrations.Infrastructure.Persistence.ReadModels;

public sealed class MemberReadModel(DbSession session) : IMemberReadModel
{
    // Removed members are history, not members; the derived table matches the partial index of migration 0009.
    private static readonly KeysetTable Table = new()
    {
        From = "(select * from members where status <> 'removed') m",
        IdColumn = "id",
        Columns = new Dictionary<string, string> { ["invited_at"] = "invited_at", ["status"] = "status", ["role"] = "role", ["email"] = "lower(email)" },
    };

    public Task<CursorPage<MemberDto>> ListAsync(Guid tenantId, ListQuery query, CancellationToken ct) =>
        session.RunAsync((c, t) => KeysetQuery.ReadPageAsync(c, t, Table, "id, tenant_id, email, role, status, invited_at, joined_at", [("tenant_id", tenantId)], query,
            r => new MemberDto(r.GetGuid(0), r.GetGuid(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetFieldValue<DateTimeOffset>(5),
                r.IsDBNull(6) ? null : r.GetFieldValue<DateTimeOffset>(6)), ct), ct);
}
