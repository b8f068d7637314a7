-- The event store (ADR 0002). es_streams holds each stream's current version: appends claim the
-- next version there (insert for a new stream, compare-and-set update otherwise), which is the
-- optimistic concurrency check. es_events is the append-only log; global_seq orders all streams.

create table es_streams (
    stream_id   text primary key,
    stream_type text not null,
    version     bigint not null check (version > 0),
    tenant_id   uuid null,
    created_at  timestamptz not null default now(),
    updated_at  timestamptz not null default now()
);

create table es_events (
    global_seq     bigserial primary key,
    event_id       uuid not null unique,
    stream_id      text not null references es_streams (stream_id),
    stream_version bigint not null check (stream_version > 0),
    event_type     text not null,
    data           jsonb not null,
    metadata       jsonb not null,
    tenant_id      uuid null,
    created_at     timestamptz not null default now(),
    -- Second line of defence behind es_streams: two writers can never store the same version.
    constraint es_events_stream_version_key unique (stream_id, stream_version)
);

create index es_events_tenant_id_idx on es_events (tenant_id);
