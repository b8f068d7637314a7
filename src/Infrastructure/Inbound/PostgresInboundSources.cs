using System.Text;
using System.Text.Json;
using Integrations.Application.Common;
using Integrations.Application.Common.Listing;
using Integrations.Application.Common.Models;
using Integrations.Application.Inbound;
using Integrations.Application.Inbound.Commands.ReceiveInbound;
using Integrations.Domain.Inbound;
using Integrations.Infrastructure.Persistence;
using Integrations.Infrastructure.Persistence.Listing;
using Integrations.Infrastructure.Security;
using Npgsql;

namespace Integrations.Infrastructure.Inbound;

/// <summary>
/// The sources (<c>inbound_sources</c>, read model of their streams) and their secrets
/// (<c>inbound_source_secrets</c>), sealed with the connections' envelope encryption (ADR 0014),
/// bound to the tenant and the source so a row copied elsewhere does not open.
/// </summary>
public sealed class PostgresInboundSources(DbSession session, CredentialEnvelope envelope) : IInboundSources, IInboundSourceVerifiers
{
    private const string Columns = """
        s.id, s.tenant_id, s.name, s.verifier, s.created_at, s.silence_alert_after_seconds,
        (select max(r.received_at) from inbound_requests r where r.source_id = s.id and r.status <> 'rejected')
        """;

    private static readonly KeysetTable Table = new()
    {
        From = "(select * from inbound_sources where deleted_at is null) s",
        IdColumn = "id",
        Columns = new Dictionary<string, string> { ["created_at"] = "created_at" },
    };

    public static string PathOf(Guid sourceId) => $"/inbound/sources/{sourceId}";

    public Task<InboundSourceDto?> FindAsync(Guid tenantId, Guid sourceId, CancellationToken ct) =>
        session.RunAsync(async (connection, transaction) =>
        {
            await using var command = Sql.Command(connection, transaction,
                $"select {Columns} from inbound_sources s where s.id = @id and s.tenant_id = @tenant_id and s.deleted_at is null", ("id", sourceId), ("tenant_id", tenantId));
            await using var reader = await command.ExecuteReaderAsync(ct);
            return await reader.ReadAsync(ct) ? Read(reader) : null;
        }, ct);

    public Task<CursorPage<InboundSourceDto>> ListAsync(Guid tenantId, ListQuery query, CancellationToken ct) =>
        session.RunAsync((connection, transaction) =>
            KeysetQuery.ReadPageAsync(connection, transaction, Table, Columns,
                [("tenant_id", tenantId)], query, Read, ct), ct);

    public Task StoreSecretAsync(Guid tenantId, Guid sourceId, string secret, CancellationToken ct) =>
        session.RunAsync(async (connection, transaction) =>
        {
            var sealedSecret = await envelope.SealAsync(tenantId, sourceId, Encoding.UTF8.GetBytes(secret), ct);
            await Sql.ExecuteAsync(connection, transaction, """
                insert into inbound_source_secrets (source_id, tenant_id, kek_id, wrapped_dek, ciphertext) values (@id, @tenant_id, @kek_id, @wrapped, @ciphertext)
                """, ct, ("id", sourceId), ("tenant_id", tenantId), ("kek_id", sealedSecret.KeyId), ("wrapped", sealedSecret.WrappedKey),
                ("ciphertext", sealedSecret.Ciphertext));
        }, ct);

    public Task EraseSecretAsync(Guid tenantId, Guid sourceId, CancellationToken ct) =>
        session.RunAsync(async (connection, transaction) => await Sql.ExecuteAsync(connection, transaction,
            "delete from inbound_source_secrets where source_id = @id and tenant_id = @tenant_id", ct, ("id", sourceId), ("tenant_id", tenantId)), ct);

    /// <summary>For the receiver, across tenants: a live source with its secret opened.</summary>
    async Task<InboundSourceVerifier?> IInboundSourceVerifiers.FindAsync(Guid sourceId, CancellationToken ct)
    {
        var found = await session.RunAsync(async (connection, transaction) =>
        {
            await using var command = Sql.Command(connection, transaction, """
                select s.tenant_id, s.verifier, k.kek_id, k.wrapped_dek, k.ciphertext
                from inbound_sources s join inbound_source_secrets k on k.source_id = s.id and k.tenant_id = s.tenant_id
                where s.id = @id and s.deleted_at is null
                """, ("id", sourceId));
            await using var reader = await command.ExecuteReaderAsync(ct);
            if (!await reader.ReadAsync(ct)) return ((Guid, SourceVerifierSpec, SealedCredential)?)null;
            return (reader.GetGuid(0), JsonSerializer.Deserialize<SourceVerifierSpec>(reader.GetString(1), JsonDefaults.Options)!,
                new SealedCredential(reader.GetString(2), reader.GetFieldValue<byte[]>(3), reader.GetFieldValue<byte[]>(4)));
        }, ct);
        if (found is not var (tenantId, spec, sealedSecret)) return null;
        var secret = Encoding.UTF8.GetString(await envelope.OpenAsync(tenantId, sourceId, sealedSecret, ct));
        return new InboundSourceVerifier(tenantId, spec.Verifier(secret));
    }

    public Task<IReadOnlyList<WatchedInboundSource>> ListWatchedAsync(CancellationToken ct) =>
        session.RunAsync<IReadOnlyList<WatchedInboundSource>>(async (connection, transaction) =>
        {
            await using var command = Sql.Command(connection, transaction, """
                select s.tenant_id, s.id, s.name, s.silence_alert_after_seconds,
                       greatest(s.silence_alert_since, (select max(r.received_at) from inbound_requests r where r.source_id = s.id and r.status <> 'rejected'))
                from inbound_sources s
                where s.silence_alert_after_seconds is not null and s.deleted_at is null
                """);
            await using var reader = await command.ExecuteReaderAsync(ct);
            var watched = new List<WatchedInboundSource>();
            while (await reader.ReadAsync(ct))
                watched.Add(new WatchedInboundSource(reader.GetGuid(0), reader.GetGuid(1), reader.GetString(2), reader.GetInt32(3), reader.GetFieldValue<DateTimeOffset>(4)));
            return watched;
        }, ct);

    private static InboundSourceDto Read(NpgsqlDataReader r)
    {
        var id = r.GetGuid(0);
        return new InboundSourceDto(id, r.GetString(2), JsonSerializer.Deserialize<SourceVerifierSpec>(r.GetString(3), JsonDefaults.Options)!, PathOf(id),
            r.GetFieldValue<DateTimeOffset>(4), r.IsDBNull(5) ? null : r.GetInt32(5), r.IsDBNull(6) ? null : r.GetFieldValue<DateTimeOffset>(6));
    }
}
