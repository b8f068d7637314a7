-- OAuth 2.0 authorization server, members and apps (ADR 0009, docs/oauth.md). Plain tables: these
-- rows are the truth. Secrets that are only verified (client secrets, authorization codes, refresh
-- tokens, invitation tokens) are stored as SHA-256 of 256-bit random values; the private signing
-- keys are encrypted with the platform secret protector (ADR 0008). No foreign key to tenants: that
-- table is a rebuildable projection (it is truncated on rebuild).

create table oauth_signing_keys (
    kid                   text primary key,
    algorithm             text not null,
    public_jwk            text not null,
    private_key_protected text not null,
    created_at            timestamptz not null,
    -- Set when a newer key took over signing; still published until every token it signed expired.
    retired_at            timestamptz null
);

-- Organisation members: the resource owners who sign in to the authorization server.
create table members (
    id                    uuid primary key,
    tenant_id             uuid not null,
    email                 text not null,
    role                  text not null,
    status                text not null check (status in ('invited', 'active', 'removed')),
    password_hash         text null,
    invitation_hash       text null,
    invitation_expires_at timestamptz null,
    invited_at            timestamptz not null,
    joined_at             timestamptz null,
    removed_at            timestamptz null
);
create unique index members_tenant_email on members (tenant_id, lower(email)) where status <> 'removed';
create unique index members_invitation on members (invitation_hash) where invitation_hash is not null;
create index members_by_tenant on members (tenant_id, id);

-- Third-party apps (OAuth clients), registered by a developer organisation (owner_tenant_id).
create table oauth_apps (
    id                  uuid primary key,
    client_id           text not null unique,
    owner_tenant_id     uuid not null,
    name                text not null,
    description         text not null,
    homepage_url        text null,
    logo_url            text null,
    redirect_uris       text[] not null,
    scopes              text[] not null,
    client_type         text not null check (client_type in ('public', 'confidential')),
    client_secret_hash  text null,
    visibility          text not null check (visibility in ('private', 'public')),
    -- Private apps: the organisations (besides the owner) that may install the app.
    allowed_tenant_ids  uuid[] not null default '{}',
    review_status       text not null check (review_status in ('none', 'pending', 'approved', 'rejected')),
    review_reason       text null,
    created_at          timestamptz not null
);
create index oauth_apps_by_owner on oauth_apps (owner_tenant_id, id);

-- A grant: one consent of one member of one organisation to one app. Every code, access token
-- and refresh token belongs to exactly one grant; revoking the grant revokes all of them at once.
create table oauth_grants (
    id          uuid primary key,
    tenant_id   uuid not null,
    member_id   uuid not null references members(id),
    app_id      uuid not null references oauth_apps(id),
    scopes      text[] not null,
    created_at  timestamptz not null,
    revoked_at  timestamptz null,
    revoke_reason text null
);
create index oauth_grants_by_tenant_app on oauth_grants (tenant_id, app_id) where revoked_at is null;

create table oauth_codes (
    code_hash        text primary key,
    grant_id         uuid not null references oauth_grants(id),
    client_id        text not null,
    redirect_uri     text not null,
    code_challenge   text null,
    expires_at       timestamptz not null,
    redeemed_at      timestamptz null
);

create table oauth_refresh_tokens (
    token_hash  text primary key,
    grant_id    uuid not null references oauth_grants(id),
    client_id   text not null,
    scopes      text[] not null,
    expires_at  timestamptz not null,
    -- Set when the token was exchanged (rotated); a second use is reuse and revokes the grant.
    used_at     timestamptz null
);
create index oauth_refresh_tokens_by_grant on oauth_refresh_tokens (grant_id);
