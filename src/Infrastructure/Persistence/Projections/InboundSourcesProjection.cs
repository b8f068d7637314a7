using System.Text.Json;
using Integrations.Application.Common;
using Integrations.Application.Common.Interfaces;
using Integrations.Domain.Inbound;
using NpgsqlTypes;

namespace Integrations.Infrastructure.Persistence.Projections;

/// <summary>Inbound source streams into <c>inbound_sources</c> (migration 0034). Inline: the receiver must find a source the moment it is created.</summary>
public sealed class InboundSourcesProjection : SqlProjection
{
    public override string Name => "inbound_sources";

    public override IReadOnlyList<string> Tables { get; } = ["inbound_sources"];

    public override IReadOnlySet<Type> Handles { get; } = new HashSet<Type> { typeof(InboundSourceCreated), typeof(InboundSourceSilenceAlertSet), typeof(InboundSourceDeleted) };

    public override IEnumerable<SqlStatement> Apply(IReadOnlyList<StoredEvent> events) => events.Select(Statement).OfType<SqlStatement>();

    private static SqlStatement? Statement(StoredEvent @event) => @event.Data switch
    {
        InboundSourceCreated e => new SqlStatement("""
            insert into inbound_sources (id, tenant_id, name, verifier, created_at, deleted_at, version, silence_alert_after_seconds, silence_alert_since)
            values (@id, @tenant_id, @name, @verifier, @at, null, @version, @silence, @at)
            on conflict (id) do nothing
            """).With("id", e.SourceId).With("tenant_id", e.TenantId).With("name", e.Name).With("silence", e.SilenceAlertAfterSeconds, NpgsqlDbType.Integer)
            .With("verifier", JsonSerializer.Serialize(e.Verifier, JsonDefaults.Options), NpgsqlDbType.Jsonb).With("at", Sql.Utc(e.CreatedAt))
            .With("version", @event.StreamVersion),
        InboundSourceSilenceAlertSet e => new SqlStatement(
                "update inbound_sources set silence_alert_after_seconds = @silence, silence_alert_since = @at, version = @version where id = @id")
            .With("id", e.SourceId).With("silence", e.AfterSeconds, NpgsqlDbType.Integer).With("at", Sql.Utc(e.At)).With("version", @event.StreamVersion),
        InboundSourceDeleted e => new SqlStatement("update inbound_sources set deleted_at = @at, version = @version where id = @id")
            .With("id", e.SourceId).With("at", Sql.Utc(e.DeletedAt)).With("version", @event.StreamVersion),
        _ => null,
    };
}
