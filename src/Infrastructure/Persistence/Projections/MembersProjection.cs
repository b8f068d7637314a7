using Integrations.Application.Common.Interfaces;
using Integrations.Domain.Members;
using NpgsqlTypes;

namespace Integrations.Infrastructure.Persistence.Projections;

/// <summary>
/// Member streams into <c>members</c> (ADR 0011, "Members, apps and grants"): inline, because the
/// authorization server signs in against it and a use case checks an address against it in the
/// request that invites. Its unique index on (tenant, lower(email)) of members not removed backs
/// that check when two invitations race. Sign-in failures are not members' events: they stay in
/// <c>member_sign_in_failures</c>, written by the authorization server.
/// </summary>
public sealed class MembersProjection : SqlProjection
{
    public override string Name => "members";

    public override IReadOnlyList<string> Tables { get; } = ["members"];

    public override IReadOnlySet<Type> Handles { get; } = new HashSet<Type>
    {
        typeof(MemberInvited), typeof(MemberJoined), typeof(MemberRemoved), typeof(MemberImported),
    };

    public override IEnumerable<SqlStatement> Apply(IReadOnlyList<StoredEvent> events) => events.Select(e => Statement(e.Data)).OfType<SqlStatement>();

    private static SqlStatement? Statement(object @event) => @event switch
    {
        MemberInvited e => Upsert(e.MemberId, e.TenantId, e.Email, e.Role, MemberStatuses.Invited, null, e.InvitationHash, e.InvitationExpiresAt,
            e.InvitedAt, null, null),
        MemberJoined e => new SqlStatement("""
            update members set status = 'active', password_hash = @password_hash, joined_at = @joined_at, invitation_hash = null, invitation_expires_at = null
            where id = @id
            """).With("id", e.MemberId).With("password_hash", e.PasswordHash).With("joined_at", Sql.Utc(e.JoinedAt)),
        MemberRemoved e => new SqlStatement("update members set status = 'removed', removed_at = @removed_at, invitation_hash = null where id = @id")
            .With("id", e.MemberId).With("removed_at", Sql.Utc(e.RemovedAt)),
        MemberImported e => Upsert(e.MemberId, e.TenantId, e.Email, e.Role, e.Status, e.PasswordHash, e.InvitationHash, e.InvitationExpiresAt,
            e.InvitedAt, e.JoinedAt, e.RemovedAt),
        _ => null,
    };

    private static SqlStatement Upsert(Guid id, Guid tenantId, string email, string role, string status, string? passwordHash, string? invitationHash,
        DateTimeOffset? invitationExpiresAt, DateTimeOffset invitedAt, DateTimeOffset? joinedAt, DateTimeOffset? removedAt) =>
        new SqlStatement("""
            insert into members (id, tenant_id, email, role, status, password_hash, invitation_hash, invitation_expires_at, invited_at, joined_at, removed_at)
            values (@id, @tenant_id, @email, @role, @status, @password_hash, @invitation_hash, @invitation_expires_at, @invited_at, @joined_at, @removed_at)
            on conflict (id) do update set tenant_id = excluded.tenant_id, email = excluded.email, role = excluded.role, status = excluded.status,
                password_hash = excluded.password_hash, invitation_hash = excluded.invitation_hash, invitation_expires_at = excluded.invitation_expires_at,
                invited_at = excluded.invited_at, joined_at = excluded.joined_at, removed_at = excluded.removed_at
            """).With("id", id).With("tenant_id", tenantId).With("email", email).With("role", role).With("status", status)
            .With("password_hash", passwordHash, NpgsqlDbType.Text).With("invitation_hash", invitationHash, NpgsqlDbType.Text)
            .With("invitation_expires_at", Time(invitationExpiresAt), NpgsqlDbType.TimestampTz).With("invited_at", Sql.Utc(invitedAt))
            .With("joined_at", Time(joinedAt), NpgsqlDbType.TimestampTz).With("removed_at", Time(removedAt), NpgsqlDbType.TimestampTz);

    internal static object? Time(DateTimeOffset? value) => value is { } t ? Sql.Utc(t) : null;
}
