-- Read models, written by the inline projections in the append's transaction and rebuildable
-- from es_events at any time. No foreign keys between them: a rebuild truncates and refills
-- each projection's tables on its own.

create table tenants (
    id         uuid primary key,
    name       text not null,
    plan       text not null,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    -- The tenant stream's version: the ETag that If-Match pins.
    version    bigint not null
);

create table api_keys (
    id         uuid primary key,
    tenant_id  uuid not null,
    prefix     text not null,
    key_hash   text not null unique,
    created_at timestamptz not null,
    revoked_at timestamptz null
);

create index api_keys_tenant_id_created_at_idx on api_keys (tenant_id, created_at);

create table events (
    id            uuid primary key,
    tenant_id     uuid not null,
    event_type    text not null,
    data          jsonb not null,
    timestamp     timestamptz not null,
    status        text not null check (status in ('accepted', 'dispatched')),
    dispatched_at timestamptz null,
    -- The global_seq of the EventAccepted that created the row: the keyset for pagination.
    sequence      bigint not null unique
);

create index events_tenant_id_sequence_idx on events (tenant_id, sequence desc);
create index events_tenant_id_event_type_sequence_idx on events (tenant_id, event_type, sequence desc);
