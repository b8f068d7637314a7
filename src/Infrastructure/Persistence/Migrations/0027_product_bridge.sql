-- The product bridge (ADR 0015, docs/product-bridge.md). All three tables are projections of the
-- event log, rebuildable through /api/v1/admin/projections.

-- The command log: one row per command sent to the product (product_command-<id> streams, inline).
create table product_commands (
    id                        uuid primary key,
    tenant_id                 uuid not null,
    command                   text not null,
    entity_type               text null,
    entity_id                 text null,
    data                      jsonb not null,
    origin_connection_id      uuid null,
    origin_provider           text not null,
    origin_external_reference text null,
    correlation_id            text not null,
    causation_id              text null,
    issued_at                 timestamptz not null,
    status                    text not null check (status in ('published', 'delivered', 'callback_failed')),
    -- What the tenant's callback made of it, once it has.
    callback_attempts         int null,
    callback_status_code      int null,
    callback_error_kind       text null,
    callback_completed_at     timestamptz null,
    sequence                  bigint not null
);

-- The list, newest first, and one record's commands.
create index product_commands_tenant_id_issued_at_idx on product_commands (tenant_id, issued_at, id);
create index product_commands_tenant_id_entity_idx on product_commands (tenant_id, entity_type, entity_id, issued_at, id) where entity_id is not null;

-- One callback per tenant (product_callback-<tenant> streams, inline). Secrets are protected
-- (AES-256-GCM with Secrets:EncryptionKey), never plain.
create table product_callbacks (
    tenant_id                  uuid primary key,
    url                        text not null,
    secret                     text not null,
    previous_secret            text null,
    previous_secret_expires_at timestamptz null,
    created_at                 timestamptz not null,
    updated_at                 timestamptz not null,
    version                    bigint not null
);

-- The latest state of each product record named by entity.* events (async: Marten's daemon in
-- the Workers' projections pipeline applies them in log order). id is derived from (tenant_id,
-- entity_type, entity_id), so lookups by those go through the primary key.
create table entities (
    id              uuid primary key,
    tenant_id       uuid not null,
    entity_type     text not null,
    entity_id       text not null,
    status          text not null check (status in ('active', 'deleted')),
    attributes      jsonb not null,
    unknown_fields  text[] not null,
    created_at      timestamptz null,
    updated_at      timestamptz not null,
    deleted_at      timestamptz null,
    version         bigint not null,
    last_event_id   uuid not null,
    last_event_type text not null,
    sequence        bigint not null
);

-- The list: one type's records (or all of them), most recently changed first.
create index entities_tenant_id_entity_type_updated_at_idx on entities (tenant_id, entity_type, updated_at, id);
create index entities_tenant_id_updated_at_idx on entities (tenant_id, updated_at, id);
