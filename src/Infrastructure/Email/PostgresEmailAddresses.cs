using Integrations.Application.Common.Listing;
using Integrations.Application.Common.Models;
using Integrations.Application.Email;
using Integrations.Infrastructure.Persistence;
using Integrations.Infrastructure.Persistence.Listing;
using Npgsql;

namespace Integrations.Infrastructure.Email;

/// <summary><see cref="IEmailAddresses"/> on <c>email_addresses</c> (migration 0054).</summary>
public sealed class PostgresEmailAddresses(DbSession session, EmailOptions options) : IEmailAddresses
{
    private const string Columns = "id, tenant_id, token, entity_type, replies_as_comments, created_at, revoked_at";

    private static readonly KeysetTable Table = new()
    {
        From = "email_addresses",
        IdColumn = "id",
        Columns = new Dictionary<string, string> { ["created_at"] = "created_at" },
    };

    public Task<EmailAddressDto?> FindAsync(Guid tenantId, Guid addressId, CancellationToken ct) =>
        session.RunAsync(async (connection, transaction) =>
        {
            await using var command = Sql.Command(connection, transaction, $"select {Columns} from email_addresses where id = @id and tenant_id = @tenant_id",
                ("id", addressId), ("tenant_id", tenantId));
            await using var reader = await command.ExecuteReaderAsync(ct);
            return await reader.ReadAsync(ct) ? Read(reader) : null;
        }, ct);

    public Task<CursorPage<EmailAddressDto>> ListAsync(Guid tenantId, ListQuery query, CancellationToken ct) =>
        session.RunAsync((connection, transaction) => KeysetQuery.ReadPageAsync(connection, transaction, Table, Columns, [("tenant_id", tenantId)], query, Read, ct), ct);

    public Task<MailRoute?> FindActiveAsync(string token, CancellationToken ct) =>
        FindRouteAsync("token = @key and revoked_at is null", token, ct);

    public Task<MailRoute?> FindRouteAsync(Guid addressId, CancellationToken ct) => FindRouteAsync("id = @key", addressId, ct);

    private Task<MailRoute?> FindRouteAsync(string where, object key, CancellationToken ct) =>
        session.RunAsync(async (connection, transaction) =>
        {
            await using var command = Sql.Command(connection, transaction, $"select {Columns} from email_addresses where {where}", ("key", key));
            await using var reader = await command.ExecuteReaderAsync(ct);
            return await reader.ReadAsync(ct)
                ? new MailRoute(reader.GetGuid(1), reader.GetGuid(0), reader.GetString(2), reader.GetString(3), reader.GetBoolean(4))
                : null;
        }, ct);

    private EmailAddressDto Read(NpgsqlDataReader r)
    {
        var revokedAt = r.IsDBNull(6) ? (DateTimeOffset?)null : r.GetFieldValue<DateTimeOffset>(6);
        return new EmailAddressDto(r.GetGuid(0), $"{r.GetString(2)}@{options.InboundDomain}", r.GetString(3), r.GetBoolean(4), revokedAt is null ? "active" : "revoked",
            r.GetFieldValue<DateTimeOffset>(5), revokedAt);
    }
}
