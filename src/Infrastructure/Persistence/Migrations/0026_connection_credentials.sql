-- The credential vault (ADR 0014): one encrypted credential record per connection. The record is
-- sealed under its own random data key (AES-256-GCM, bound to tenant and connection); the data key
-- is stored wrapped under the key-encryption key named by kek_id. Only the facts the token sweep
-- queries are plain: when the access token expires, whether there is a refresh token and when it
-- was last exercised. version is the compare-and-swap token of replacements; a key rotation
-- re-wraps wrapped_dek in place and leaves version alone.
create table connection_credentials (
    connection_id        uuid        primary key,
    tenant_id            uuid        not null,
    version              int         not null,
    kek_id               text        not null,
    wrapped_dek          bytea       not null,
    ciphertext           bytea       not null,
    access_expires_at    timestamptz null,
    has_refresh_token    boolean     not null,
    refresh_exercised_at timestamptz null,
    updated_at           timestamptz not null
);

create index connection_credentials_access_expires_at_idx on connection_credentials (access_expires_at) where access_expires_at is not null;
create index connection_credentials_refresh_exercised_at_idx on connection_credentials (refresh_exercised_at) where has_refresh_token;
