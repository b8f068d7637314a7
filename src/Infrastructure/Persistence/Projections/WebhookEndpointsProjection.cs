using System.Text.Json;
using Integrations.Application.Common;
using Integrations.Application.Common.Interfaces;
using Integrations.Domain.Webhooks;
using Npgsql;

namespace Integrations.Infrastructure.Persistence.Projections;

/// <summary>
/// Webhook endpoint streams into <c>webhook_endpoints</c>. Secrets are projected in their protected
/// form only; after a rotation the list is what the decider keeps (the new secret and the one in
/// its overlap), computed by the decider's own Evolve so the two cannot disagree.
/// </summary>
public sealed class WebhookEndpointsProjection : IProjection
{
    public string Name => "webhook_endpoints";

    public IReadOnlyList<string> Tables { get; } = ["webhook_endpoints"];

    public IReadOnlySet<Type> Handles { get; } = new HashSet<Type>
    {
        typeof(WebhookEndpointCreated), typeof(WebhookEndpointUpdated), typeof(WebhookEndpointEnabled),
        typeof(WebhookEndpointDisabled), typeof(WebhookEndpointSecretRotated), typeof(WebhookEndpointDeleted),
    };

    public async Task ApplyAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, StoredEvent @event, CancellationToken ct)
    {
        var version = @event.StreamVersion;
        switch (@event.Data)
        {
            case WebhookEndpointCreated e:
                await using (var command = Sql.Command(connection, transaction, """
                    insert into webhook_endpoints (id, tenant_id, url, event_types, description, rate_limit_per_minute, status,
                        disabled_reason, disabled_message, disabled_at, secrets, created_at, updated_at, version, sequence)
                    values (@id, @tenant_id, @url, @event_types, @description, @rate, 'enabled', null, null, null, @secrets,
                        @created_at, @created_at, @version, @sequence)
                    on conflict (id) do update set tenant_id = excluded.tenant_id, url = excluded.url, event_types = excluded.event_types,
                        description = excluded.description, rate_limit_per_minute = excluded.rate_limit_per_minute, status = excluded.status,
                        disabled_reason = null, disabled_message = null, disabled_at = null, secrets = excluded.secrets,
                        created_at = excluded.created_at, updated_at = excluded.updated_at, version = excluded.version, sequence = excluded.sequence
                    """, ("id", e.EndpointId), ("tenant_id", e.TenantId), ("url", e.Url), ("event_types", e.EventTypes.ToArray()),
                    ("description", e.Description), ("rate", e.RateLimitPerMinute), ("created_at", Sql.Utc(e.CreatedAt)),
                    ("version", version), ("sequence", @event.GlobalSequence)))
                {
                    command.Parameters.AddJsonb("secrets", SerializeSecrets([new EndpointSecret(e.SecretId, e.ProtectedSecret, null)]));
                    await command.ExecuteNonQueryAsync(ct);
                }
                break;
            case WebhookEndpointUpdated e:
                await Sql.ExecuteAsync(connection, transaction, """
                    update webhook_endpoints set url = @url, event_types = @event_types, description = @description,
                        rate_limit_per_minute = @rate, updated_at = @at, version = @version where id = @id
                    """, ct, ("id", e.EndpointId), ("url", e.Url), ("event_types", e.EventTypes.ToArray()), ("description", e.Description),
                    ("rate", e.RateLimitPerMinute), ("at", Sql.Utc(e.UpdatedAt)), ("version", version));
                break;
            case WebhookEndpointEnabled e:
                await Sql.ExecuteAsync(connection, transaction, """
                    update webhook_endpoints set status = 'enabled', disabled_reason = null, disabled_message = null, disabled_at = null,
                        updated_at = @at, version = @version where id = @id
                    """, ct, ("id", e.EndpointId), ("at", Sql.Utc(e.EnabledAt)), ("version", version));
                break;
            case WebhookEndpointDisabled e:
                await Sql.ExecuteAsync(connection, transaction, """
                    update webhook_endpoints set status = 'disabled', disabled_reason = @reason, disabled_message = @message, disabled_at = @at,
                        updated_at = @at, version = @version where id = @id
                    """, ct, ("id", e.EndpointId), ("reason", e.Reason), ("message", e.Message), ("at", Sql.Utc(e.DisabledAt)), ("version", version));
                break;
            case WebhookEndpointSecretRotated e:
                await RotateAsync(connection, transaction, e, version, ct);
                break;
            case WebhookEndpointDeleted e:
                await Sql.ExecuteAsync(connection, transaction, "delete from webhook_endpoints where id = @id", ct, ("id", e.EndpointId));
                break;
        }
    }

    public static string SerializeSecrets(IReadOnlyList<EndpointSecret> secrets) =>
        JsonSerializer.Serialize(secrets.Select(s => new StoredSecret(s.SecretId, s.ProtectedSecret, s.ExpiresAt)), JsonDefaults.Options);

    public static IReadOnlyList<EndpointSecret> DeserializeSecrets(string json) =>
        JsonSerializer.Deserialize<List<StoredSecret>>(json, JsonDefaults.Options)!.Select(s => new EndpointSecret(s.SecretId, s.Protected, s.ExpiresAt)).ToList();

    private static async Task RotateAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, WebhookEndpointSecretRotated e, long version, CancellationToken ct)
    {
        // Locks the row: a concurrent rotation of the same endpoint cannot read the same secrets.
        await using var read = Sql.Command(connection, transaction, "select secrets from webhook_endpoints where id = @id for update", ("id", e.EndpointId));
        if (await read.ExecuteScalarAsync(ct) is not string json) return;

        var rotated = WebhookEndpointDecider.Evolve(WebhookEndpointState.None with { Secrets = DeserializeSecrets(json) }, e);
        await using var write = Sql.Command(connection, transaction,
            "update webhook_endpoints set secrets = @secrets, updated_at = @at, version = @version where id = @id",
            ("id", e.EndpointId), ("at", Sql.Utc(e.RotatedAt)), ("version", version));
        write.Parameters.AddJsonb("secrets", SerializeSecrets(rotated.Secrets));
        await write.ExecuteNonQueryAsync(ct);
    }

    /// <summary>The stored shape: {secret_id, protected, expires_at}.</summary>
    private sealed record StoredSecret(Guid SecretId, string Protected, DateTimeOffset? ExpiresAt);
}
