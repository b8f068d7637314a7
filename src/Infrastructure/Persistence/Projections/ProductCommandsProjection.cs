using Integrations.Application.Common.Interfaces;
using Integrations.Domain.ProductBridge;
using NpgsqlTypes;

namespace Integrations.Infrastructure.Persistence.Projections;

/// <summary>
/// Command streams into <c>product_commands</c>, the tenant's command log. Inline: the use case that
/// issues a command answers with it, and the callback pipeline reads a command's status before it
/// sends it. A page costs one statement per event type.
/// </summary>
public sealed class ProductCommandsProjection : SqlProjection
{
    public override string Name => "product_commands";

    public override IReadOnlyList<string> Tables { get; } = ["product_commands"];

    public override IReadOnlySet<Type> Handles { get; } = new HashSet<Type>
    {
        typeof(ProductCommandIssued), typeof(ProductCommandCallbackDelivered), typeof(ProductCommandCallbackFailed),
    };

    public override IEnumerable<SqlStatement> Apply(IReadOnlyList<StoredEvent> events)
    {
        var issued = events.Where(e => e.Data is ProductCommandIssued).Select(e => ((ProductCommandIssued)e.Data, e.GlobalSequence)).ToList();
        if (issued.Count > 0)
        {
            yield return new SqlStatement("""
                insert into product_commands (id, tenant_id, command, entity_type, entity_id, data, origin_connection_id, origin_provider,
                    origin_external_reference, correlation_id, causation_id, issued_at, status, sequence)
                select u.id, u.tenant_id, u.command, u.entity_type, u.entity_id, u.data, u.connection_id, u.provider, u.external_reference,
                    u.correlation_id, u.causation_id, u.issued_at, 'published', u.sequence
                from unnest(@ids::uuid[], @tenant_ids::uuid[], @commands::text[], @entity_types::text[], @entity_ids::text[], @data::jsonb[],
                            @connection_ids::uuid[], @providers::text[], @external_references::text[], @correlation_ids::text[], @causation_ids::text[],
                            @issued_at::timestamptz[], @sequences::bigint[])
                    as u(id, tenant_id, command, entity_type, entity_id, data, connection_id, provider, external_reference, correlation_id,
                         causation_id, issued_at, sequence)
                on conflict (id) do update set tenant_id = excluded.tenant_id, command = excluded.command, entity_type = excluded.entity_type,
                    entity_id = excluded.entity_id, data = excluded.data, origin_connection_id = excluded.origin_connection_id,
                    origin_provider = excluded.origin_provider, origin_external_reference = excluded.origin_external_reference,
                    correlation_id = excluded.correlation_id, causation_id = excluded.causation_id, issued_at = excluded.issued_at,
                    status = excluded.status, callback_attempts = null, callback_status_code = null, callback_error_kind = null,
                    callback_completed_at = null, sequence = excluded.sequence
                """)
                .With("ids", issued.Select(i => i.Item1.CommandId).ToArray())
                .With("tenant_ids", issued.Select(i => i.Item1.TenantId).ToArray())
                .With("commands", issued.Select(i => i.Item1.Command).ToArray())
                .With("entity_types", issued.Select(i => i.Item1.Target?.Type).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text)
                .With("entity_ids", issued.Select(i => i.Item1.Target?.Id).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text)
                .With("data", issued.Select(i => i.Item1.DataJson).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Jsonb)
                .With("connection_ids", issued.Select(i => i.Item1.Origin.ConnectionId is { } id ? (object)id : DBNull.Value).ToArray(),
                    NpgsqlDbType.Array | NpgsqlDbType.Uuid)
                .With("providers", issued.Select(i => i.Item1.Origin.Provider).ToArray())
                .With("external_references", issued.Select(i => i.Item1.Origin.ExternalReference).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text)
                .With("correlation_ids", issued.Select(i => i.Item1.CorrelationId).ToArray())
                .With("causation_ids", issued.Select(i => i.Item1.CausationId).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text)
                .WithTimestamps("issued_at", issued.Select(i => (DateTimeOffset?)i.Item1.IssuedAt))
                .With("sequences", issued.Select(i => i.GlobalSequence).ToArray());
        }

        var outcomes = events.Select(e => e.Data switch
        {
            ProductCommandCallbackDelivered d => (d.CommandId, Status: ProductCommandStatuses.Delivered, d.Attempts, StatusCode: (int?)d.StatusCode, ErrorKind: (string?)null, At: d.DeliveredAt),
            ProductCommandCallbackFailed f => (f.CommandId, Status: ProductCommandStatuses.CallbackFailed, f.Attempts, StatusCode: f.StatusCode, f.ErrorKind, At: f.FailedAt),
            _ => default,
        }).Where(o => o.Status is not null).ToList();
        if (outcomes.Count > 0)
        {
            yield return new SqlStatement("""
                update product_commands c set status = o.status, callback_attempts = o.attempts, callback_status_code = o.status_code,
                    callback_error_kind = o.error_kind, callback_completed_at = o.completed_at
                from unnest(@ids::uuid[], @statuses::text[], @attempts::int[], @status_codes::int[], @error_kinds::text[], @completed_at::timestamptz[])
                    as o(id, status, attempts, status_code, error_kind, completed_at)
                where c.id = o.id and c.id = any(@ids)
                """)
                .With("ids", outcomes.Select(o => o.CommandId).ToArray())
                .With("statuses", outcomes.Select(o => o.Status).ToArray())
                .With("attempts", outcomes.Select(o => o.Attempts).ToArray())
                .With("status_codes", outcomes.Select(o => o.StatusCode is { } code ? (object)code : DBNull.Value).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Integer)
                .With("error_kinds", outcomes.Select(o => o.ErrorKind).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text)
                .WithTimestamps("completed_at", outcomes.Select(o => (DateTimeOffset?)o.At));
        }
    }
}
