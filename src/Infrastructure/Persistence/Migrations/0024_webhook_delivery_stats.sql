-- Delivery attempts per endpoint and minute, projected by Marten's async daemon (ADR 0011): what an
-- endpoint's health shows for the last hour, and what dashboards chart. Rebuildable from the log.
create table webhook_delivery_stats (
    endpoint_id       uuid        not null,
    minute            timestamptz not null,
    tenant_id         uuid        not null,
    attempts          int         not null,
    succeeded         int         not null,
    failed            int         not null,
    dead_lettered     int         not null,
    duration_ms_sum   bigint      not null,
    duration_ms_max   int         not null,
    primary key (endpoint_id, minute)
);

create index webhook_delivery_stats_tenant_id_minute_idx on webhook_delivery_stats (tenant_id, minute);

-- Rebuilds of async projections run in the process whose daemon keeps them (the hot/cold leader of
-- the Workers' projections pipeline), which stops the projection's agent while it replays: the
-- API asks for one here and waits for its outcome (ADR 0011).
create table projection_rebuilds (
    id              uuid primary key,
    projection      text not null,
    requested_at    timestamptz not null default now(),
    started_at      timestamptz null,
    finished_at     timestamptz null,
    events_replayed bigint null,
    error           text null
);

create index projection_rebuilds_waiting_idx on projection_rebuilds (requested_at) where finished_at is null;
