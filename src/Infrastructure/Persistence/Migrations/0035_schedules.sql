-- Schedules (ADR 0021). The definition columns are the inline projection of the schedule streams;
-- next_due_at, requested_run and checkpoint are the runner's: the projection writes them only for
-- the events that must move them (created, timing changed, resumed, run now).
create table schedules (
    id               uuid primary key,
    tenant_id        uuid not null,
    connection_id    uuid null,
    provider         text null,
    name             text null,
    job_kind         text not null,
    job_config       jsonb not null,
    cron             text null,
    time_zone        text null,
    interval_seconds int null,
    max_run_seconds  int null,
    status           text not null check (status in ('active', 'paused')),
    next_due_at      timestamptz not null,
    -- A run asked for besides the occurrences: run_now (the API), retry (a lost run's schedule).
    requested_run    text null check (requested_run in ('run_now', 'retry')),
    checkpoint       text null,
    created_at       timestamptz not null,
    updated_at       timestamptz not null,
    version          bigint not null
);

create index schedules_tenant_created_idx on schedules (tenant_id, created_at, id);
-- The claim's read: active schedules by due time, and requested runs (also of paused schedules).
create index schedules_due_idx on schedules (next_due_at) where status = 'active';
create index schedules_requested_idx on schedules (id) where requested_run is not null;

-- The runs: the claim table and the run history in one. A run is inserted 'running' by the claim and
-- ends succeeded, failed, timed_out or lost. The unique partial index makes two running runs of one
-- schedule impossible, whatever any process does.
create table schedule_runs (
    id               uuid primary key,
    schedule_id      uuid not null,
    tenant_id        uuid not null,
    connection_id    uuid null,
    provider         text null,
    trigger          text not null check (trigger in ('schedule', 'run_now', 'retry')),
    status           text not null check (status in ('running', 'succeeded', 'failed', 'timed_out', 'lost')),
    worker           text not null,
    started_at       timestamptz not null,
    heartbeat_at     timestamptz not null,
    deadline_at      timestamptz not null,
    finished_at      timestamptz null,
    records_read     int not null default 0,
    records_written  int not null default 0,
    checkpoint       text null,
    error            text null
);

create unique index schedule_runs_one_running_idx on schedule_runs (schedule_id) where status = 'running';
create index schedule_runs_schedule_started_idx on schedule_runs (schedule_id, started_at, id);
-- The concurrency counts and the recovery sweep read only running rows.
create index schedule_runs_running_idx on schedule_runs (heartbeat_at) where status = 'running';
