-- Inbound webhooks (issue 20, ADR 0020; docs/inbound.md).
--
-- inbound_requests: every verified request, written before it is acknowledged, with its Kafka
-- message (outbox) in the same transaction. The body is kept raw (signatures cover the bytes);
-- headers are only those the verifier read, never credentials. status: pending until the Workers'
-- inbound pipeline routed it (processed, with the tenants and events it became) or found no tenant
-- (unrouted), or failed for good (failed, with the error); rejected for a source's refused
-- request (no body, no headers).
create table inbound_requests (
    id                  uuid        primary key,
    received_at         timestamptz not null,
    provider            text        null,
    source_id           uuid        null,
    tenant_id           uuid        null,
    external_account_id text        null,
    replay_key          text        null,
    content_type        text        null,
    headers             jsonb       not null,
    body                bytea       not null,
    status              text        not null default 'pending',
    routed_tenants      uuid[]      not null default '{}',
    event_ids           uuid[]      not null default '{}',
    processed_at        timestamptz null,
    -- A source's refused request is logged (without body or headers) so its tenant can see why.
    rejection_reason    text        null,
    -- Why processing failed for good (status failed): a payload the event store cannot hold, say.
    error               text        null,
    check ((provider is null) <> (source_id is null))
);

-- Replay protection: one request per target and replay key (the provider's event or delivery id, or
-- the signature of a timestamped scheme), for as long as the request is kept (at least 24 h).
create unique index inbound_requests_replay_idx on inbound_requests (coalesce(provider, source_id::text), replay_key) where replay_key is not null;

-- The inbound log of a source: newest first (keyset on received_at, id).
create index inbound_requests_source_idx on inbound_requests (source_id, received_at, id) where source_id is not null;

-- Refused requests, counted per target (provider:<id> or source:<id>) and reason; their bodies are never stored.
create table inbound_rejections (
    target        text        not null,
    reason        text        not null,
    count         bigint      not null,
    first_at      timestamptz not null,
    last_at       timestamptz not null,
    primary key (target, reason)
);

-- Tenants' inbound sources: a read model of the inbound_source-<id> streams (InboundSourcesProjection,
-- inline). verifier is the spec without its secret; a deleted source stays (deleted_at) so its log stays readable.
create table inbound_sources (
    id          uuid        primary key,
    tenant_id   uuid        not null,
    name        text        not null,
    verifier    jsonb       not null,
    created_at  timestamptz not null,
    deleted_at  timestamptz null,
    version     bigint      not null
);

create index inbound_sources_tenant_created_at_idx on inbound_sources (tenant_id, created_at, id) where deleted_at is null;

-- The sources' secrets, sealed like connection credentials (envelope encryption bound to tenant and
-- source, ADR 0014) and erased when the source is deleted.
create table inbound_source_secrets (
    source_id   uuid        primary key,
    tenant_id   uuid        not null,
    kek_id      text        not null,
    wrapped_dek bytea       not null,
    ciphertext  bytea       not null
);
