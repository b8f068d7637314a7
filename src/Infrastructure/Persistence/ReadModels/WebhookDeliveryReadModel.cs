using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Listing;
using Integrations.Application.Common.Models;
using Integrations.Infrastructure.Persistence.Listing;
using Integrations.Domain.Webhooks;
using Npgsql;

namespace Integrations.Infrastructure.Persistence.ReadModels;

/// <summary>
/// The delivery log from <c>webhook_deliveries</c>, and a delivery's attempts from its stream. Lists
/// are keysets over (scope, created_at, id), served by the indexes of migrations 0007 and 0015. No
/// index of the log names its status, so that a delivery's one update (when it succeeds) writes no
/// index entry: the dead letters are the rows with a <c>failed_at</c>, and the pending deliveries
/// are those with a row in <c>webhook_delivery_queue</c>.
/// </summary>
public sealed class WebhookDeliveryReadModel(DbSession session, IEventStore events) : IWebhookDeliveryReadModel
{
    private const string Columns = """
        id, tenant_id, endpoint_id, event_id, event_type, status, is_test, attempt_count, last_status_code, last_error_kind,
        last_attempt_at, next_attempt_at, failure_reason, created_at, updated_at
        """;

    public static readonly KeysetTable Table = new()
    {
        From = "webhook_deliveries",
        IdColumn = "id",
        Columns = new Dictionary<string, string>
        {
            ["created_at"] = "created_at",
            ["status"] = "status",
            ["event_type"] = "event_type",
        },
    };

    /// <summary>The dead letters: <c>failed_at</c> is set exactly while a delivery is failed (the partial indexes' condition).</summary>
    private static readonly KeysetTable Failed = new()
    {
        From = "(select * from webhook_deliveries where failed_at is not null) webhook_deliveries",
        IdColumn = Table.IdColumn,
        Columns = Table.Columns,
    };

    /// <summary>
    /// The pending deliveries: those with a queue row. An endpoint's are walked in the queue's
    /// (endpoint_id, created_at, delivery_id) index, a tenant's found by scanning the queue, which
    /// holds the backlog only. Scope, key and filter columns are the queue's copies, for its index to apply.
    /// </summary>
    private static readonly KeysetTable Pending = new()
    {
        From = """
            (select q.delivery_id as id, q.tenant_id, q.endpoint_id, d.event_id, q.event_type, d.status, d.is_test, d.attempt_count,
                    d.last_status_code, d.last_error_kind, d.last_attempt_at, d.next_attempt_at, d.failure_reason, q.created_at, d.updated_at
             from webhook_delivery_queue q join webhook_deliveries d on d.id = q.delivery_id) webhook_deliveries
            """,
        IdColumn = Table.IdColumn,
        Columns = Table.Columns,
    };

    public Task<CursorPage<WebhookDeliveryDto>> ListAsync(Guid? tenantId, Guid? endpointId, ListQuery query, CancellationToken ct)
    {
        var scope = new List<(string Column, object Value)>();
        if (tenantId is { } tenant) scope.Add(("tenant_id", tenant));
        if (endpointId is { } endpoint) scope.Add(("endpoint_id", endpoint));
        // The status filter stays in the query as well: the source only decides which indexes serve it.
        var status = query.Filters.FirstOrDefault(f => f.Field == "status" && f.Operator == FilterOperator.Equal)?.Value as string;
        var table = status switch
        {
            WebhookDeliveryStatuses.Failed => Failed,
            WebhookDeliveryStatuses.Pending => Pending,
            _ => Table,
        };
        return session.RunAsync((connection, transaction) => KeysetQuery.ReadPageAsync(connection, transaction, table, Columns, scope, query, Read, ct), ct);
    }

    public async Task<WebhookDeliveryDetailDto?> FindAsync(Guid? tenantId, Guid deliveryId, CancellationToken ct)
    {
        var delivery = await session.RunAsync(async (connection, transaction) =>
        {
            await using var command = Sql.Command(connection, transaction,
                $"select {Columns} from webhook_deliveries where id = @id {(tenantId is null ? "" : "and tenant_id = @tenant_id")}", ("id", deliveryId));
            if (tenantId is { } tenant) command.Parameters.AddValue("tenant_id", tenant);
            await using var reader = await command.ExecuteReaderAsync(ct);
            return await reader.ReadAsync(ct) ? Read(reader) : null;
        }, ct);
        if (delivery is null) return null;

        // The attempts are the delivery stream's own events: no table repeats them.
        var streamId = WebhookDeliveryDecider.StreamId(deliveryId);
        var stream = (await events.ReadStreamsAsync([new StreamKey(streamId, delivery.TenantId)], ct))[streamId];
        // To PostgreSQL's microseconds, like every other time in the API (last_attempt_at is this one from the log row):
        // the sender stamps attempts with the clock, which truncates, but attempts recorded before it did carry 100 ns ticks.
        var attempts = stream.Select(e => e.Data).OfType<WebhookAttemptMade>()
            .Select(a => new WebhookAttemptDto(a.Attempt, SystemClock.ToMicroseconds(a.StartedAt.ToUniversalTime()), a.DurationMs, a.StatusCode,
                a.ResponseBodyExcerpt, a.ErrorKind, a.Succeeded))
            .ToList();
        return new WebhookDeliveryDetailDto(delivery, attempts);
    }

    public Task<IReadOnlyList<FailedDeliveryPosition>> ListFailedAsync(Guid endpointId, DateTimeOffset since, FailedDeliveryPosition? after, int limit, CancellationToken ct) =>
        session.RunAsync<IReadOnlyList<FailedDeliveryPosition>>(async (connection, transaction) =>
        {
            // failed_at >= @since implies failed_at is not null: the partial dead-letter index serves the walk.
            await using var command = Sql.Command(connection, transaction, $"""
                select failed_at, id from webhook_deliveries
                where endpoint_id = @endpoint_id and status = 'failed' and failed_at >= @since
                {(after is null ? "" : "and (failed_at, id) > (@after_at, @after_id)")}
                order by failed_at, id
                limit @limit
                """, ("endpoint_id", endpointId), ("since", Sql.Utc(since)), ("limit", limit));
            if (after is not null)
            {
                command.Parameters.AddValue("after_at", Sql.Utc(after.FailedAt));
                command.Parameters.AddValue("after_id", after.Id);
            }
            await using var reader = await command.ExecuteReaderAsync(ct);
            var page = new List<FailedDeliveryPosition>(limit);
            while (await reader.ReadAsync(ct)) page.Add(new FailedDeliveryPosition(reader.GetFieldValue<DateTimeOffset>(0), reader.GetGuid(1)));
            return page;
        }, ct);

    private static WebhookDeliveryDto Read(NpgsqlDataReader reader) => new(
        reader.GetGuid(0),
        reader.GetGuid(1),
        reader.GetGuid(2),
        reader.GetGuid(3),
        reader.GetString(4),
        reader.GetString(5),
        reader.GetBoolean(6),
        reader.GetInt32(7),
        reader.IsDBNull(8) ? null : reader.GetInt32(8),
        reader.IsDBNull(9) ? null : reader.GetString(9),
        reader.IsDBNull(10) ? null : reader.GetFieldValue<DateTimeOffset>(10),
        reader.IsDBNull(11) ? null : reader.GetFieldValue<DateTimeOffset>(11),
        reader.IsDBNull(12) ? null : reader.GetString(12),
        reader.GetFieldValue<DateTimeOffset>(13),
        reader.GetFieldValue<DateTimeOffset>(14));
}
