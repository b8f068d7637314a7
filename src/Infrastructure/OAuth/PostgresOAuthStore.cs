using Integrations.Application.OAuth;
using Integrations.Infrastructure.Persistence;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Integrations.Infrastructure.OAuth;

public static class OAuthPersistenceServiceCollectionExtensions
{
    public static IServiceCollection AddOAuthPersistence(this IServiceCollection services) =>
        services.AddScoped<IOAuthStore, PostgresOAuthStore>();
}

/// <summary>
/// The authorization server's reads of the members, oauth_apps and oauth_grants projections, and its
/// security state (oauth_signing_keys, oauth_codes, oauth_refresh_tokens, member_sign_in_failures),
/// migrations 0008-0010 and 0025. Runs on the scope's session and transaction.
/// </summary>
public sealed class PostgresOAuthStore(DbSession session) : IOAuthStore
{
    private const string MemberColumns = "id, tenant_id, email, role, status, password_hash, invited_at, joined_at, invitation_expires_at";
    private const string AppColumns = "id, client_id, owner_tenant_id, name, description, homepage_url, logo_url, redirect_uris, scopes, client_type, client_secret_hash, visibility, allowed_tenant_ids, review_status, review_reason, created_at";
    private const string GrantColumns = "g.id, g.tenant_id, g.member_id, g.app_id, g.scopes, g.revoked_at";

    public Task<IReadOnlyList<SigningKeyRow>> SigningKeysAsync(CancellationToken ct) =>
        ListAsync("select kid, algorithm, public_jwk, private_key_protected, created_at, retired_at from oauth_signing_keys order by created_at desc",
            r => new SigningKeyRow(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetFieldValue<DateTimeOffset>(4), NullableTime(r, 5)), ct);

    public Task InsertSigningKeyAsync(SigningKeyRow key, CancellationToken ct) =>
        ExecuteAsync("insert into oauth_signing_keys (kid, algorithm, public_jwk, private_key_protected, created_at) values (@kid, @alg, @jwk, @priv, @at)", ct,
            ("kid", key.Kid), ("alg", key.Algorithm), ("jwk", key.PublicJwk), ("priv", key.PrivateKeyProtected), ("at", Sql.Utc(key.CreatedAt)));

    /// <summary>One statement batch is one transaction; the advisory lock (held to its end) queues concurrent rotations.</summary>
    public Task RotateSigningKeyAsync(SigningKeyRow key, DateTimeOffset at, CancellationToken ct) =>
        ExecuteAsync("""
            select pg_advisory_xact_lock(hashtext('oauth_signing_keys.rotate'));
            insert into oauth_signing_keys (kid, algorithm, public_jwk, private_key_protected, created_at) values (@kid, @alg, @jwk, @priv, @created);
            update oauth_signing_keys set retired_at = @at where kid <> @kid and retired_at is null;
            """, ct, ("kid", key.Kid), ("alg", key.Algorithm), ("jwk", key.PublicJwk), ("priv", key.PrivateKeyProtected), ("created", Sql.Utc(key.CreatedAt)),
            ("at", Sql.Utc(at)));

    public Task<MemberRow?> FindMemberByInvitationAsync(string invitationHash, CancellationToken ct) =>
        SingleAsync($"select {MemberColumns} from members where invitation_hash = @hash and status = 'invited'", ReadMember, ct, ("hash", invitationHash));

    public Task<MemberRow?> FindMemberAsync(Guid tenantId, Guid memberId, CancellationToken ct) =>
        SingleAsync($"select {MemberColumns} from members where tenant_id = @tenant and id = @id and status <> 'removed'", ReadMember, ct, ("tenant", tenantId), ("id", memberId));

    public Task<MemberRow?> FindActiveMemberByEmailAsync(Guid tenantId, string email, CancellationToken ct) =>
        SingleAsync($"select {MemberColumns} from members where tenant_id = @tenant and lower(email) = lower(@email) and status = 'active'", ReadMember, ct,
            ("tenant", tenantId), ("email", email));

    public async Task<bool> HasMemberWithEmailAsync(Guid tenantId, string email, CancellationToken ct) =>
        await SingleAsync("select 1 from members where tenant_id = @tenant and lower(email) = lower(@email) and status <> 'removed' limit 1",
            r => new object(), ct, ("tenant", tenantId), ("email", email)) is not null;

    public Task<AppRow?> FindAppByClientIdAsync(string clientId, CancellationToken ct) =>
        SingleAsync($"select {AppColumns} from oauth_apps where client_id = @client_id", ReadApp, ct, ("client_id", clientId));

    public Task<AppRow?> FindAppAsync(Guid appId, CancellationToken ct) =>
        SingleAsync($"select {AppColumns} from oauth_apps where id = @id", ReadApp, ct, ("id", appId));

    public Task InsertCodeAsync(string codeHash, Guid grantId, string clientId, string redirectUri, string? codeChallenge, DateTimeOffset expiresAt,
        CancellationToken ct) =>
        ExecuteAsync("""
            insert into oauth_codes (code_hash, grant_id, client_id, redirect_uri, code_challenge, expires_at)
            values (@hash, @grant, @client, @redirect, @challenge, @expires)
            """, ct, ("hash", codeHash), ("grant", grantId), ("client", clientId), ("redirect", redirectUri), ("challenge", codeChallenge),
            ("expires", Sql.Utc(expiresAt)));

    public async Task<(CodeOutcome Outcome, CodeRedemption? Code)> RedeemCodeAsync(string codeHash, DateTimeOffset at, CancellationToken ct)
    {
        // The update is the race arbiter: of two concurrent redemptions only one sees redeemed_at null.
        var redeemed = await SingleAsync($"""
            with used as (update oauth_codes set redeemed_at = @at where code_hash = @hash and redeemed_at is null
                          returning grant_id, client_id, redirect_uri, code_challenge, expires_at)
            select {GrantColumns}, u.client_id, u.redirect_uri, u.code_challenge, u.expires_at from used u join oauth_grants g on g.id = u.grant_id
            """, r => new CodeRedemption(ReadGrant(r), r.GetString(6), r.GetString(7), r.IsDBNull(8) ? null : r.GetString(8), r.GetFieldValue<DateTimeOffset>(9)),
            ct, ("hash", codeHash), ("at", Sql.Utc(at)));
        if (redeemed is not null) return (CodeOutcome.Redeemed, redeemed);
        var earlier = await SingleAsync($"""
            select {GrantColumns}, c.client_id, c.redirect_uri, c.code_challenge, c.expires_at from oauth_codes c join oauth_grants g on g.id = c.grant_id
            where c.code_hash = @hash
            """, r => new CodeRedemption(ReadGrant(r), r.GetString(6), r.GetString(7), r.IsDBNull(8) ? null : r.GetString(8), r.GetFieldValue<DateTimeOffset>(9)),
            ct, ("hash", codeHash));
        return earlier is null ? (CodeOutcome.Unknown, null) : (CodeOutcome.AlreadyRedeemed, earlier);
    }

    public Task InsertRefreshTokenAsync(string tokenHash, Guid grantId, string clientId, string[] scopes, DateTimeOffset expiresAt, CancellationToken ct) =>
        ExecuteAsync("insert into oauth_refresh_tokens (token_hash, grant_id, client_id, scopes, expires_at) values (@hash, @grant, @client, @scopes, @expires)", ct,
            ("hash", tokenHash), ("grant", grantId), ("client", clientId), ("scopes", scopes), ("expires", Sql.Utc(expiresAt)));

    public async Task<RefreshUse> UseRefreshTokenAsync(string tokenHash, DateTimeOffset at, CancellationToken ct)
    {
        var used = await SingleAsync("""
            update oauth_refresh_tokens set used_at = @at where token_hash = @hash and used_at is null
            returning grant_id, client_id, scopes, expires_at
            """, r => new RefreshUse(RefreshOutcome.Rotated, r.GetGuid(0), r.GetString(1), r.GetFieldValue<string[]>(2), r.GetFieldValue<DateTimeOffset>(3)),
            ct, ("hash", tokenHash), ("at", Sql.Utc(at)));
        if (used is not null) return used;
        var earlier = await SingleAsync("select grant_id, client_id, scopes, expires_at from oauth_refresh_tokens where token_hash = @hash",
            r => new RefreshUse(RefreshOutcome.Reused, r.GetGuid(0), r.GetString(1), r.GetFieldValue<string[]>(2), r.GetFieldValue<DateTimeOffset>(3)), ct, ("hash", tokenHash));
        return earlier ?? new RefreshUse(RefreshOutcome.Unknown, null, null, [], null);
    }

    public Task<RefreshTokenRow?> FindRefreshTokenAsync(string tokenHash, CancellationToken ct) =>
        SingleAsync("select grant_id, client_id, scopes, expires_at, used_at is not null from oauth_refresh_tokens where token_hash = @hash",
            r => new RefreshTokenRow(r.GetGuid(0), r.GetString(1), r.GetFieldValue<string[]>(2), r.GetFieldValue<DateTimeOffset>(3), r.GetBoolean(4)), ct, ("hash", tokenHash));

    public Task<GrantRow?> FindGrantAsync(Guid grantId, CancellationToken ct) =>
        SingleAsync($"select {GrantColumns} from oauth_grants g where g.id = @id", ReadGrant, ct, ("id", grantId));

    public Task<GrantStatus?> GrantStatusAsync(Guid grantId, CancellationToken ct) =>
        // A client_credentials grant also lapses when the organisation's consent no longer covers its
        // scopes (app disconnected, last consenting member removed): checked here, in the same statement.
        SingleAsync("""
            select g.revoked_at is not null
                   or (g.member_id is null and not (g.scopes <@ coalesce((
                       select array_agg(s) from oauth_grants c, unnest(c.scopes) s
                       where c.tenant_id = g.tenant_id and c.app_id = g.app_id and c.member_id is not null and c.revoked_at is null), '{}'))),
                   t.plan
            from oauth_grants g join tenants t on t.id = g.tenant_id where g.id = @id
            """, r => new GrantStatus(r.GetBoolean(0), r.GetString(1)), ct, ("id", grantId));

    public Task<IReadOnlyList<Guid>> LiveGrantIdsAsync(Guid tenantId, Guid? memberId, Guid? appId, CancellationToken ct)
    {
        // One fixed text per combination, each served by an index (oauth_grants_by_tenant_app for the app's).
        var parameters = new List<(string Name, object? Value)> { ("tenant", tenantId) };
        var sql = "select id from oauth_grants where tenant_id = @tenant and revoked_at is null";
        if (memberId is { } member)
        {
            sql += " and member_id = @member";
            parameters.Add(("member", member));
        }
        if (appId is { } app)
        {
            sql += " and app_id = @app";
            parameters.Add(("app", app));
        }
        return ListAsync(sql + " order by id", r => r.GetGuid(0), ct, [.. parameters]);
    }

    public async Task<string[]> ConsentedScopesAsync(Guid tenantId, Guid appId, CancellationToken ct) =>
        (await SingleAsync("""
            select coalesce(array_agg(distinct s order by s), '{}') from oauth_grants g, unnest(g.scopes) s
            where g.tenant_id = @tenant and g.app_id = @app and g.member_id is not null and g.revoked_at is null
            """, r => r.GetFieldValue<string[]>(0), ct, ("tenant", tenantId), ("app", appId))) ?? [];

    public async Task<bool> HasConsentCoveringAsync(Guid tenantId, Guid memberId, Guid appId, string[] scopes, CancellationToken ct) =>
        await SingleAsync("""
            select 1 from oauth_grants
            where tenant_id = @tenant and member_id = @member and app_id = @app and revoked_at is null and scopes @> @scopes
            limit 1
            """, r => new object(), ct, ("tenant", tenantId), ("member", memberId), ("app", appId), ("scopes", scopes)) is not null;

    public async Task<DateTimeOffset?> SignInLockedUntilAsync(Guid memberId, DateTimeOffset at, CancellationToken ct)
    {
        var row = await SingleAsync("select locked_until from member_sign_in_failures where member_id = @member and locked_until > @at",
            r => new LockedUntil(r.GetFieldValue<DateTimeOffset>(0)), ct, ("member", memberId), ("at", Sql.Utc(at)));
        return row?.Until;
    }

    public Task RecordFailedSignInAsync(Guid memberId, DateTimeOffset at, SignInLockoutPolicy policy, CancellationToken ct) =>
        // One upsert: failures from several API instances at once all count. A failure after the
        // window (or after a lock ended) starts a new count; reaching the maximum locks the account.
        ExecuteAsync("""
            insert into member_sign_in_failures as f (member_id, failures, window_started_at, locked_until)
            values (@member, 1, @at, case when 1 >= @max then @at + @lockout end)
            on conflict (member_id) do update set
                failures = case when f.window_started_at <= @at - @window or f.locked_until <= @at then 1 else f.failures + 1 end,
                window_started_at = case when f.window_started_at <= @at - @window or f.locked_until <= @at then @at else f.window_started_at end,
                locked_until = case
                    when f.locked_until > @at then f.locked_until
                    when (case when f.window_started_at <= @at - @window or f.locked_until <= @at then 1 else f.failures + 1 end) >= @max then @at + @lockout
                end
            """, ct, ("member", memberId), ("at", Sql.Utc(at)), ("max", policy.MaxFailures), ("window", policy.Window), ("lockout", policy.Lockout));

    public Task ClearFailedSignInsAsync(Guid memberId, CancellationToken ct) =>
        ExecuteAsync("delete from member_sign_in_failures where member_id = @member", ct, ("member", memberId));

    private sealed record LockedUntil(DateTimeOffset Until);

    private static MemberRow ReadMember(NpgsqlDataReader r) =>
        new(r.GetGuid(0), r.GetGuid(1), r.GetString(2), r.GetString(3), r.GetString(4), r.IsDBNull(5) ? null : r.GetString(5),
            r.GetFieldValue<DateTimeOffset>(6), NullableTime(r, 7), NullableTime(r, 8));

    private static AppRow ReadApp(NpgsqlDataReader r) =>
        new(r.GetGuid(0), r.GetString(1), r.GetGuid(2), r.GetString(3), r.GetString(4), r.IsDBNull(5) ? null : r.GetString(5), r.IsDBNull(6) ? null : r.GetString(6),
            r.GetFieldValue<string[]>(7), r.GetFieldValue<string[]>(8), r.GetString(9), r.IsDBNull(10) ? null : r.GetString(10), r.GetString(11),
            r.GetFieldValue<Guid[]>(12), r.GetString(13), r.IsDBNull(14) ? null : r.GetString(14), r.GetFieldValue<DateTimeOffset>(15));

    private static GrantRow ReadGrant(NpgsqlDataReader r) =>
        new(r.GetGuid(0), r.GetGuid(1), r.IsDBNull(2) ? null : r.GetGuid(2), r.GetGuid(3), r.GetFieldValue<string[]>(4), NullableTime(r, 5));

    private static DateTimeOffset? NullableTime(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetFieldValue<DateTimeOffset>(i);

    private Task<int> ExecuteAsync(string sql, CancellationToken ct, params (string Name, object? Value)[] parameters) =>
        session.RunAsync((c, t) => Sql.ExecuteAsync(c, t, sql, ct, parameters), ct);

    private Task<T?> SingleAsync<T>(string sql, Func<NpgsqlDataReader, T> read, CancellationToken ct, params (string Name, object? Value)[] parameters) where T : class =>
        session.RunAsync<T?>(async (c, t) =>
        {
            await using var command = Sql.Command(c, t, sql, parameters);
            await using var reader = await command.ExecuteReaderAsync(ct);
            return await reader.ReadAsync(ct) ? read(reader) : null;
        }, ct);

    private Task<IReadOnlyList<T>> ListAsync<T>(string sql, Func<NpgsqlDataReader, T> read, CancellationToken ct, params (string Name, object? Value)[] parameters) =>
        session.RunAsync<IReadOnlyList<T>>(async (c, t) =>
        {
            await using var command = Sql.Command(c, t, sql, parameters);
            await using var reader = await command.ExecuteReaderAsync(ct);
            var rows = new List<T>();
            while (await reader.ReadAsync(ct)) rows.Add(read(reader));
            return rows;
        }, ct);
}
