-- Connections (issue 18, ADR 0016). The connection streams (connection-<id>) are the truth; these
-- tables are what the API, the Workers and the inbound receiver read, and what the connect and
-- health use cases own.

-- The read model (an inline projection of the connection streams; rebuilt from them). Deleted
-- connections keep their row with status 'deleted' (their audit log stays readable, and the
-- connector runtime sees that their routes must stop); lists leave them out.
create table connections (
    id                         uuid        primary key,
    tenant_id                  uuid        not null,
    provider                   text        not null,
    auth_kind                  text        not null,
    display_name               text        null,
    status                     text        not null,
    external_account_id        text        null,
    external_account_name      text        null,
    scopes                     text[]      not null default '{}',
    settings                   jsonb       null,
    disconnected_reason        text        null,
    last_error                 text        null,
    credential_version         int         not null default 0,
    authorized_at              timestamptz null,
    access_expires_at          timestamptz null,
    token_exercised_at         timestamptz null,
    last_refreshed_at          timestamptz null,
    refresh_failures_in_a_row  int         not null default 0,
    refresh_retry_at           timestamptz null,
    last_refresh_error         text        null,
    health_failures_in_a_row   int         not null default 0,
    last_health_error          text        null,
    last_health_failure_at     timestamptz null,
    created_at                 timestamptz not null,
    updated_at                 timestamptz not null,
    version                    bigint      not null
);

-- The list: a tenant's connections by creation (keyset on created_at, id).
create index connections_tenant_created_idx on connections (tenant_id, created_at, id) where status <> 'deleted';
-- The identity map: (provider, account) -> tenants and connections, for inbound traffic.
create index connections_account_idx on connections (provider, external_account_id) where external_account_id is not null and status <> 'deleted';
-- The token sweep: OAuth connections in use, by when their access token expires or was last renewed.
create index connections_access_expires_idx on connections (access_expires_at)
    where status in ('connected', 'disconnected') and auth_kind in ('oauth2_code', 'oauth2_client_credentials');
create index connections_token_exercised_idx on connections (token_exercised_at)
    where status in ('connected', 'disconnected') and auth_kind in ('oauth2_code', 'oauth2_client_credentials');

-- The audit log: one row per event of a connection stream, without anything secret (part of the same projection).
create table connection_audit_log (
    id            uuid        primary key,
    tenant_id     uuid        not null,
    connection_id uuid        not null,
    sequence      bigint      not null,
    action        text        not null,
    actor         text        not null,
    at            timestamptz not null,
    details       jsonb       not null
);
create index connection_audit_log_connection_idx on connection_audit_log (tenant_id, connection_id, at, id);

-- Authorizations handed out as connect URLs and not back yet (owned by the connect use cases).
-- Only the state's SHA-256 is stored; the PKCE verifier is encrypted by the secret protector.
create table connection_authorizations (
    state_hash         text        primary key,
    tenant_id          uuid        not null,
    connection_id      uuid        not null,
    provider           text        not null,
    actor              text        not null,
    protected_verifier text        null,
    redirect_uri       text        not null,
    return_url         text        null,
    scopes             text[]      not null,
    expires_at         timestamptz not null,
    created_at         timestamptz not null
);
create index connection_authorizations_connection_idx on connection_authorizations (connection_id);
create index connection_authorizations_expires_idx on connection_authorizations (expires_at);

-- When each authorized connection's health check runs next (owned by the health use cases).
create table connection_health_checks (
    connection_id     uuid        primary key,
    tenant_id         uuid        not null,
    next_check_at     timestamptz not null,
    last_checked_at   timestamptz null,
    last_succeeded_at timestamptz null
);
create index connection_health_checks_due_idx on connection_health_checks (next_check_at);

-- The link table for two-way sync (owned by the sync use cases): each side at most once per connection.
create table connection_links (
    id            uuid        primary key,
    tenant_id     uuid        not null,
    connection_id uuid        not null,
    entity_type   text        not null,
    entity_id     text        not null,
    external_type text        not null,
    external_id   text        not null,
    created_at    timestamptz not null,
    updated_at    timestamptz not null,
    unique (connection_id, entity_type, entity_id),
    unique (connection_id, external_type, external_id)
);
create index connection_links_list_idx on connection_links (tenant_id, connection_id, created_at, id);
