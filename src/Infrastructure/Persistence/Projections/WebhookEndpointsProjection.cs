using System.Text.Json;
using Integrations.Application.Common;
using Integrations.Application.Common.Interfaces;
using Integrations.Domain.Webhooks;
using NpgsqlTypes;

namespace Integrations.Infrastructure.Persistence.Projections;

/// <summary>
/// Webhook endpoint streams into <c>webhook_endpoints</c>. Secrets are projected in their protected
/// form only, as a JSON list of {secret_id, protected, expires_at}; after a rotation the list is
/// what the decider's Evolve keeps: the new secret, the previous one until the overlap ends, and
/// none that had expired (WebhookEndpointProjectionTests compares the two).
/// </summary>
public sealed class WebhookEndpointsProjection : SqlProjection
{
    public override string Name => "webhook_endpoints";

    public override IReadOnlyList<string> Tables { get; } = ["webhook_endpoints"];

    public override IReadOnlySet<Type> Handles { get; } = new HashSet<Type>
    {
        typeof(WebhookEndpointCreated), typeof(WebhookEndpointUpdated), typeof(WebhookEndpointEnabled),
        typeof(WebhookEndpointDisabled), typeof(WebhookEndpointSecretRotated), typeof(WebhookEndpointDeleted),
    };

    public override IEnumerable<SqlStatement> Apply(IReadOnlyList<StoredEvent> events) => events.Select(Statement).OfType<SqlStatement>();

    private static SqlStatement? Statement(StoredEvent @event)
    {
        var version = @event.StreamVersion;
        return @event.Data switch
        {
            WebhookEndpointCreated e => new SqlStatement("""
                insert into webhook_endpoints (id, tenant_id, url, event_types, description, rate_limit_per_minute, status,
                    disabled_reason, disabled_message, disabled_at, secrets, created_at, updated_at, version, sequence, kind, filter)
                values (@id, @tenant_id, @url, @event_types, @description, @rate, 'enabled', null, null, null, @secrets,
                    @created_at, @created_at, @version, @sequence, @kind, @filter)
                on conflict (id) do update set tenant_id = excluded.tenant_id, url = excluded.url, event_types = excluded.event_types,
                    description = excluded.description, rate_limit_per_minute = excluded.rate_limit_per_minute, status = excluded.status,
                    disabled_reason = null, disabled_message = null, disabled_at = null, secrets = excluded.secrets,
                    created_at = excluded.created_at, updated_at = excluded.updated_at, version = excluded.version, sequence = excluded.sequence,
                    kind = excluded.kind, filter = excluded.filter
                """).With("id", e.EndpointId).With("kind", e.Kind ?? EndpointKinds.Endpoint)
                .With("filter", ConnectorRoutesProjection.Filter(e.Filter ?? []), NpgsqlDbType.Jsonb).With("tenant_id", e.TenantId).With("url", e.Url).With("event_types", e.EventTypes.ToArray())
                .With("description", e.Description, NpgsqlDbType.Text).With("rate", e.RateLimitPerMinute).With("created_at", Sql.Utc(e.CreatedAt))
                .With("version", version).With("sequence", @event.GlobalSequence)
                .With("secrets", SerializeSecrets([new EndpointSecret(e.SecretId, e.ProtectedSecret, null)]), NpgsqlDbType.Jsonb),
            WebhookEndpointUpdated e => new SqlStatement("""
                update webhook_endpoints set url = @url, event_types = @event_types, description = @description,
                    rate_limit_per_minute = @rate, updated_at = @at, version = @version where id = @id
                """).With("id", e.EndpointId).With("url", e.Url).With("event_types", e.EventTypes.ToArray()).With("description", e.Description, NpgsqlDbType.Text)
                .With("rate", e.RateLimitPerMinute).With("at", Sql.Utc(e.UpdatedAt)).With("version", version),
            WebhookEndpointEnabled e => new SqlStatement("""
                update webhook_endpoints set status = 'enabled', disabled_reason = null, disabled_message = null, disabled_at = null,
                    updated_at = @at, version = @version where id = @id
                """).With("id", e.EndpointId).With("at", Sql.Utc(e.EnabledAt)).With("version", version),
            WebhookEndpointDisabled e => new SqlStatement("""
                update webhook_endpoints set status = 'disabled', disabled_reason = @reason, disabled_message = @message, disabled_at = @at,
                    updated_at = @at, version = @version where id = @id
                """).With("id", e.EndpointId).With("reason", e.Reason, NpgsqlDbType.Text).With("message", e.Message, NpgsqlDbType.Text)
                .With("at", Sql.Utc(e.DisabledAt)).With("version", version),
            // Evolve's rule in SQL: the new secret first, then the previous one with the overlap's end, then the others that have not expired.
            WebhookEndpointSecretRotated e => new SqlStatement("""
                update webhook_endpoints set secrets =
                    jsonb_build_array(jsonb_build_object('secret_id', @secret_id::uuid, 'protected', @protected::text, 'expires_at', null))
                    || coalesce((select jsonb_agg(s || jsonb_build_object('expires_at', @previous_expires_at::timestamptz) order by n)
                                 from jsonb_array_elements(secrets) with ordinality as x(s, n) where s->>'secret_id' = @previous_id::text), '[]'::jsonb)
                    || coalesce((select jsonb_agg(s order by n)
                                 from jsonb_array_elements(secrets) with ordinality as x(s, n)
                                 where s->>'secret_id' <> @previous_id::text and (s->>'expires_at')::timestamptz > @rotated_at::timestamptz), '[]'::jsonb),
                    updated_at = @rotated_at, version = @version
                where id = @id
                """).With("id", e.EndpointId).With("secret_id", e.SecretId).With("protected", e.ProtectedSecret).With("previous_id", e.PreviousSecretId)
                .With("previous_expires_at", Sql.Utc(e.PreviousSecretExpiresAt)).With("rotated_at", Sql.Utc(e.RotatedAt)).With("version", version),
            WebhookEndpointDeleted e => new SqlStatement("delete from webhook_endpoints where id = @id").With("id", e.EndpointId),
            _ => null,
        };
    }

    public static string SerializeSecrets(IReadOnlyList<EndpointSecret> secrets) =>
        JsonSerializer.Serialize(secrets.Select(s => new StoredSecret(s.SecretId, s.ProtectedSecret, s.ExpiresAt)), JsonDefaults.Options);

    public static IReadOnlyList<EndpointSecret> DeserializeSecrets(string json) =>
        JsonSerializer.Deserialize<List<StoredSecret>>(json, JsonDefaults.Options)!.Select(s => new EndpointSecret(s.SecretId, s.Protected, s.ExpiresAt)).ToList();

    /// <summary>The stored shape: {secret_id, protected, expires_at}.</summary>
    private sealed record StoredSecret(Guid SecretId, string Protected, DateTimeOffset? ExpiresAt);
}
