namespace Integrations.Fakes.Common.OAuth;

/// <summary>
/// Codes, grants and tokens of the fake authorization server, under one lock (a fake serves a few calls
/// at a time; correctness beats throughput). Every rule here cites the RFC it follows.
/// </summary>
public sealed class TokenStore(TimeProvider clock) : IFakeResettable
{
    /// <summary>The refusals of a refresh token presented a second time (a client that lost a rotation race), as opposed to one the fake never knew.</summary>
    public const string AlreadyUsed = "The refresh token was already used.";

    public const string Replaced = "The refresh token was replaced by a newer one.";

    /// <summary>Exact Online's refusal of a refresh before the last <see cref="OAuthSettings.RefreshWindowSeconds"/> of the access token.</summary>
    public const string TooEarly = "TooEarlyToRefreshTokens";

    public static bool IsReuse(OAuthError error) => error.Description is AlreadyUsed or Replaced;

    private readonly object _lock = new();
    private readonly Dictionary<string, CodeRecord> _codes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Grant> _grants = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RefreshRecord> _refreshTokens = new(StringComparer.Ordinal);
    private readonly Dictionary<string, AccessRecord> _accessTokens = new(StringComparer.Ordinal);

    /// <summary>RFC 6749 §4.1.2: a code bound to the client, the redirection URI, the scope and the account.</summary>
    public string CreateCode(PendingAuthorization request, string account, OAuthSettings settings)
    {
        var code = Tokens.New("code_");
        lock (_lock)
        {
            _codes[code] = new CodeRecord
            {
                ClientId = request.Client.ClientId,
                RedirectUri = request.RedirectUri,
                RedirectUriGiven = request.RedirectUriGiven,
                Scope = request.Scope,
                Account = account,
                Challenge = request.Challenge,
                ChallengeMethod = request.ChallengeMethod,
                ExpiresAt = clock.GetUtcNow().AddSeconds(settings.CodeLifetimeSeconds),
            };
        }
        return code;
    }

    /// <summary>The authorization code grant's token request (RFC 6749 §4.1.3, RFC 7636 §4.6).</summary>
    public (TokenIssue? Issue, OAuthError? Error) RedeemCode(
        string code, OAuthClient client, string? redirectUri, string? verifier, OAuthSettings settings)
    {
        lock (_lock)
        {
            var now = clock.GetUtcNow();
            if (!_codes.TryGetValue(code, out var record))
            {
                return (null, OAuthError.InvalidGrant("The authorization code is not known."));
            }
            if (record.ClientId != client.ClientId)
            {
                return (null, OAuthError.InvalidGrant("The authorization code was issued to another client."));
            }
            if (record.RedeemedGrantId is { } earlier)
            {
                // RFC 6749 §4.1.2: a code used twice is refused, and what it gave the first time is revoked.
                _grants[earlier].Revoked = true;
                return (null, OAuthError.InvalidGrant("The authorization code was already used."));
            }
            if (record.ExpiresAt <= now)
            {
                return (null, OAuthError.InvalidGrant("The authorization code expired."));
            }
            if ((record.RedirectUriGiven || redirectUri is not null) && redirectUri != record.RedirectUri)
            {
                return (null, OAuthError.InvalidGrant("redirect_uri does not match the authorization request."));
            }
            if (record.Challenge is not null)
            {
                if (Pkce.Verify(record.Challenge, record.ChallengeMethod!, verifier) is { } problem)
                {
                    return (null, OAuthError.InvalidGrant(problem));
                }
            }
            else if (verifier is not null && settings.Pkce != PkcePolicy.Unsupported)
            {
                // RFC 9700 §4.8.2: a verifier for a code requested without a challenge is a downgrade attempt.
                return (null, OAuthError.InvalidGrant("code_verifier was sent but the authorization request had no code_challenge."));
            }
            var grant = NewGrant(client.ClientId, record.Account, record.Scope, "authorization_code", now);
            record.RedeemedGrantId = grant.Id;
            return (Issue(grant, grant.Scope, settings, now, withRefreshToken: settings.IssueRefreshTokens), null);
        }
    }

    /// <summary>RFC 6749 §4.4: a grant of the client's own; no refresh token (§4.4.3).</summary>
    public TokenIssue ClientCredentials(OAuthClient client, string account, string scope, OAuthSettings settings)
    {
        lock (_lock)
        {
            var now = clock.GetUtcNow();
            var grant = NewGrant(client.ClientId, account, scope, "client_credentials", now);
            return Issue(grant, scope, settings, now, withRefreshToken: false);
        }
    }

    /// <summary>RFC 6749 §6, with the provider's refresh token policy (static, rotating, single-use).</summary>
    public (TokenIssue? Issue, OAuthError? Error) Refresh(string token, OAuthClient client, string? scope, OAuthSettings settings)
    {
        lock (_lock)
        {
            var now = clock.GetUtcNow();
            if (!_refreshTokens.TryGetValue(token, out var record))
            {
                return (null, OAuthError.InvalidGrant("The refresh token is not known."));
            }
            var grant = _grants[record.GrantId];
            if (grant.ClientId != client.ClientId)
            {
                return (null, OAuthError.InvalidGrant("The refresh token was issued to another client."));
            }
            if (grant.Revoked)
            {
                return (null, OAuthError.InvalidGrant("The refresh token was revoked."));
            }
            if (record.ExpiresAt <= now)
            {
                return (null, OAuthError.InvalidGrant("The refresh token expired."));
            }
            // §6: the new access token's scope is the one asked for, which may not exceed the grant's.
            var granted = OAuthForms.ScopeSet(grant.Scope);
            if (scope is not null && !OAuthForms.ScopeSet(scope).IsSubsetOf(granted))
            {
                return (null, new OAuthError("invalid_scope", "The requested scope exceeds the scope of the grant."));
            }
            var accessScope = scope ?? grant.Scope;

            if (record.Used)
            {
                if (settings.ReuseRevokesGrant)
                {
                    grant.Revoked = true;
                }
                return (null, OAuthError.InvalidGrant(AlreadyUsed));
            }
            if (record.ReplacedAt is { } replacedAt)
            {
                // §10.4 rotation: the replaced token works during the grace period and answers the current one.
                if (settings.RefreshTokens == RefreshTokenPolicy.Rotating && now < replacedAt.AddSeconds(settings.RotationGraceSeconds))
                {
                    var again = Issue(grant, accessScope, settings, now, withRefreshToken: false);
                    return (again with { RefreshToken = grant.CurrentRefreshToken }, null);
                }
                return (null, OAuthError.InvalidGrant(Replaced));
            }
            if (settings.RefreshWindowSeconds is { } window && now < record.AccessExpiresAt.AddSeconds(-window))
            {
                // Refused, and the refresh token stays good: nothing was issued.
                return (null, OAuthError.InvalidRequest(TooEarly));
            }
            switch (settings.RefreshTokens)
            {
                case RefreshTokenPolicy.Static:
                    var issue = Issue(grant, accessScope, settings, now, withRefreshToken: false);
                    return (issue with { RefreshToken = settings.OmitUnchangedRefreshToken ? null : token }, null);
                case RefreshTokenPolicy.Rotating:
                    record.ReplacedAt = now;
                    break;
                default:
                    record.Used = true;
                    break;
            }
            return (Issue(grant, accessScope, settings, now, withRefreshToken: true), null);
        }
    }

    /// <summary>
    /// RFC 7009 §2.1: only the client the token was issued to may revoke it. Revoking a refresh token
    /// revokes its grant and so its access tokens; an unknown token is not an error (§2.2).
    /// </summary>
    public OAuthError? Revoke(string token, OAuthClient client, OAuthSettings settings)
    {
        lock (_lock)
        {
            var grantId = _refreshTokens.TryGetValue(token, out var refresh) ? refresh.GrantId
                : _accessTokens.TryGetValue(token, out var access) ? access.GrantId
                : null;
            if (grantId is null)
            {
                return null;
            }
            var grant = _grants[grantId];
            if (grant.ClientId != client.ClientId)
            {
                return new OAuthError("unauthorized_client", "The token was not issued to this client.");
            }
            if (refresh is not null || settings.RevokingAccessTokenRevokesGrant)
            {
                grant.Revoked = true;
            }
            else
            {
                _accessTokens[token].Revoked = true;
            }
            return null;
        }
    }

    /// <summary>The grant an access token stands for, or why it does not stand for one (RFC 6750 §3.1 invalid_token).</summary>
    public (Grant? Grant, string? Problem) Validate(string accessToken)
    {
        lock (_lock)
        {
            if (!_accessTokens.TryGetValue(accessToken, out var record))
            {
                return (null, "The access token is not known.");
            }
            var grant = _grants[record.GrantId];
            if (record.Revoked || grant.Revoked)
            {
                return (null, "The access token was revoked.");
            }
            return record.ExpiresAt <= clock.GetUtcNow() ? (null, "The access token expired.") : (grant, null);
        }
    }

    /// <summary>Expires access tokens now: one, an account's, or all. Returns how many.</summary>
    public int ExpireAccessTokens(string? accessToken, string? account)
    {
        lock (_lock)
        {
            var now = clock.GetUtcNow();
            var expired = 0;
            foreach (var (token, record) in _accessTokens)
            {
                if ((accessToken is null || token == accessToken)
                    && (account is null || _grants[record.GrantId].Account == account)
                    && record.ExpiresAt > now)
                {
                    record.ExpiresAt = now;
                    expired++;
                }
            }
            return expired;
        }
    }

    /// <summary>Revokes grants as a user who disconnects the app at the provider would: their tokens stop working.</summary>
    public int RevokeGrants(string? account, string? clientId)
    {
        lock (_lock)
        {
            var revoked = 0;
            foreach (var grant in _grants.Values.Where(g => !g.Revoked
                         && (account is null || g.Account == account) && (clientId is null || g.ClientId == clientId)))
            {
                grant.Revoked = true;
                revoked++;
            }
            return revoked;
        }
    }

    public IReadOnlyList<object> DescribeGrants()
    {
        lock (_lock)
        {
            var now = clock.GetUtcNow();
            return _grants.Values.OrderBy(g => g.CreatedAt).Select(g => (object)new
            {
                id = g.Id,
                client_id = g.ClientId,
                account = g.Account,
                scope = g.Scope,
                grant_type = g.GrantType,
                created_at = g.CreatedAt,
                revoked = g.Revoked,
                refresh_token = g.CurrentRefreshToken,
                active_access_tokens = _accessTokens.Values.Count(a => a.GrantId == g.Id && !a.Revoked && a.ExpiresAt > now),
            }).ToList();
        }
    }

    public void Reset()
    {
        lock (_lock)
        {
            _codes.Clear();
            _grants.Clear();
            _refreshTokens.Clear();
            _accessTokens.Clear();
        }
    }

    private Grant NewGrant(string clientId, string account, string scope, string grantType, DateTimeOffset now)
    {
        var grant = new Grant
        {
            Id = Tokens.New("grant_"),
            ClientId = clientId,
            Account = account,
            Scope = scope,
            GrantType = grantType,
            CreatedAt = now,
        };
        _grants[grant.Id] = grant;
        return grant;
    }

    private TokenIssue Issue(Grant grant, string scope, OAuthSettings settings, DateTimeOffset now, bool withRefreshToken)
    {
        var accessToken = Tokens.New("at_");
        _accessTokens[accessToken] = new AccessRecord { GrantId = grant.Id, ExpiresAt = now.AddSeconds(settings.AccessTokenLifetimeSeconds) };
        string? refreshToken = null;
        if (withRefreshToken)
        {
            refreshToken = Tokens.New("rt_");
            _refreshTokens[refreshToken] = new RefreshRecord
            {
                GrantId = grant.Id,
                ExpiresAt = settings.RefreshTokenLifetimeSeconds is { } lifetime ? now.AddSeconds(lifetime) : null,
                AccessExpiresAt = now.AddSeconds(settings.AccessTokenLifetimeSeconds),
            };
            grant.CurrentRefreshToken = refreshToken;
        }
        return new TokenIssue(accessToken, settings.AccessTokenLifetimeSeconds, refreshToken, scope, grant);
    }
}
