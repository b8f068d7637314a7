using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Listing;
using Integrations.Application.Common.Models;
using Integrations.Infrastructure.Persistence.EventSourcing;
using Integrations.Infrastructure.Persistence.Listing;
using Integrations.Domain.Webhooks;
using Npgsql;

namespace Integrations.Infrastructure.Persistence.ReadModels;

/// <summary>
/// The delivery log from <c>webhook_deliveries</c>, and a delivery's attempts from its stream. Lists
/// are keysets over (scope, created_at, id), served by the indexes of migration 0007.
/// </summary>
public sealed class WebhookDeliveryReadModel(DbSession session, EventTypeRegistry registry) : IWebhookDeliveryReadModel
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

    public Task<CursorPage<WebhookDeliveryDto>> ListAsync(Guid? tenantId, Guid? endpointId, ListQuery query, CancellationToken ct)
    {
        var scope = new List<(string Column, object Value)>();
        if (tenantId is { } tenant) scope.Add(("tenant_id", tenant));
        if (endpointId is { } endpoint) scope.Add(("endpoint_id", endpoint));
        return session.RunAsync((connection, transaction) => KeysetQuery.ReadPageAsync(connection, transaction, Table, Columns, scope, query, Read, ct), ct);
    }

    public Task<WebhookDeliveryDetailDto?> FindAsync(Guid? tenantId, Guid deliveryId, CancellationToken ct) =>
        session.RunAsync(async (connection, transaction) =>
        {
            WebhookDeliveryDto? delivery;
            await using (var command = Sql.Command(connection, transaction,
                $"select {Columns} from webhook_deliveries where id = @id {(tenantId is null ? "" : "and tenant_id = @tenant_id")}", ("id", deliveryId)))
            {
                if (tenantId is { } tenant) command.Parameters.AddValue("tenant_id", tenant);
                await using var reader = await command.ExecuteReaderAsync(ct);
                delivery = await reader.ReadAsync(ct) ? Read(reader) : null;
            }
            if (delivery is null) return null;

            // The attempts are the delivery stream's own events: no table repeats them.
            var attemptType = registry.NameOf(typeof(WebhookAttemptMade));
            await using var attempts = Sql.Command(connection, transaction, """
                select data::text from es_events
                where stream_id = @stream and event_type = @type
                order by stream_version
                """, ("stream", WebhookDeliveryDecider.StreamId(deliveryId)), ("type", attemptType));
            await using var rows = await attempts.ExecuteReaderAsync(ct);
            var list = new List<WebhookAttemptDto>();
            while (await rows.ReadAsync(ct))
            {
                var a = (WebhookAttemptMade)registry.Deserialize(attemptType, rows.GetString(0));
                // To PostgreSQL's microseconds, like every other time in the API (last_attempt_at is this one from the log row):
                // the sender stamps attempts with the clock, which truncates, but attempts recorded before it did carry 100 ns ticks.
                var startedAt = new DateTimeOffset(a.StartedAt.UtcTicks - a.StartedAt.UtcTicks % 10, TimeSpan.Zero);
                list.Add(new WebhookAttemptDto(a.Attempt, startedAt, a.DurationMs, a.StatusCode, a.ResponseBodyExcerpt, a.ErrorKind, a.Succeeded));
            }
            return new WebhookDeliveryDetailDto(delivery, list);
        }, ct);

    public Task<IReadOnlyList<FailedDeliveryPosition>> ListFailedAsync(Guid endpointId, DateTimeOffset since, FailedDeliveryPosition? after, int limit, CancellationToken ct) =>
        session.RunAsync<IReadOnlyList<FailedDeliveryPosition>>(async (connection, transaction) =>
        {
            // The literal 'failed' lets the partial dead-letter index serve the walk.
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
