-- The customer console's embed links (ADR 0019, docs/console.md#embedding): one row per link minted
-- with POST /api/v1/console-sessions. Only the SHA-256 of the link's token is stored; used_at makes
-- a link single-use (the redeeming UPDATE is the race arbiter). Rows are small and few; expired
-- ones can be deleted at any time (they can no longer be redeemed).
create table console_sessions (
    id          uuid        primary key,
    tenant_id   uuid        not null,
    token_hash  text        not null unique,
    created_at  timestamptz not null,
    expires_at  timestamptz not null,
    used_at     timestamptz null
);

create index console_sessions_tenant_idx on console_sessions (tenant_id, created_at);
