using Integrations.Application.Common.Interfaces;
using Integrations.Domain.Email;

namespace Integrations.Infrastructure.Persistence.Projections;

/// <summary>E-mail address streams into <c>email_addresses</c> (migration 0054). Inline: the listener must take mail for an address the moment it exists, and refuse it the moment it is revoked.</summary>
public sealed class EmailAddressesProjection : SqlProjection
{
    public override string Name => "email_addresses";

    public override IReadOnlyList<string> Tables { get; } = ["email_addresses"];

    public override IReadOnlySet<Type> Handles { get; } = new HashSet<Type> { typeof(EmailAddressCreated), typeof(EmailAddressRevoked) };

    public override IEnumerable<SqlStatement> Apply(IReadOnlyList<StoredEvent> events) => events.Select(Statement).OfType<SqlStatement>();

    private static SqlStatement? Statement(StoredEvent @event) => @event.Data switch
    {
        EmailAddressCreated e => new SqlStatement("""
            insert into email_addresses (id, tenant_id, token, entity_type, replies_as_comments, created_at, revoked_at, version)
            values (@id, @tenant_id, @token, @entity_type, @replies, @at, null, @version)
            on conflict (id) do nothing
            """).With("id", e.AddressId).With("tenant_id", e.TenantId).With("token", e.Token).With("entity_type", e.EntityType)
            .With("replies", e.RepliesAsComments).With("at", Sql.Utc(e.CreatedAt)).With("version", @event.StreamVersion),
        EmailAddressRevoked e => new SqlStatement("update email_addresses set revoked_at = @at, version = @version where id = @id")
            .With("id", e.AddressId).With("at", Sql.Utc(e.RevokedAt)).With("version", @event.StreamVersion),
        _ => null,
    };
}
