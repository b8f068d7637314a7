-- The connector runtime (docs/connections.md#routes, ADR 0017): routes, the call ledger, the
-- attempt log, the per-connection circuit as every Workers process sees it, and quota counters.

-- Routes: an inline projection of the route-<id> streams (rebuildable). connection_deleted marks the
-- routes of a deleted connection: they stop matching and leave the lists.
create table connector_routes (
    id                 uuid primary key,
    tenant_id          uuid not null,
    connection_id      uuid not null,
    provider           text not null,
    name               text null,
    event_types        text[] not null,
    filter             jsonb not null,
    action             text not null,
    settings           jsonb not null,
    enabled            boolean not null,
    connection_deleted boolean not null default false,
    created_at         timestamptz not null,
    updated_at         timestamptz not null,
    version            bigint not null
);

create index connector_routes_connection_created_idx on connector_routes (connection_id, created_at, id) where not connection_deleted;
-- The connector pipeline's lookup: a batch's tenants' enabled routes.
create index connector_routes_matching_idx on connector_routes (tenant_id) where enabled and not connection_deleted;

-- The call ledger and queue in one: one row per (event, route), its id the idempotency key the
-- action sends. Written in the transaction that handles an events batch, before its offsets are
-- committed. Pending rows are claimed with FOR UPDATE SKIP LOCKED and leased by moving
-- next_attempt_at to the lease's end, so a Workers process that dies mid-call loses nothing: the
-- call is due again when the lease runs out. request holds the prepared request (method, URL or
-- path, headers, body), never a credential: those are added when the call is sent.
create table connector_calls (
    id                uuid primary key,
    tenant_id         uuid not null,
    connection_id     uuid not null,
    route_id          uuid not null,
    provider          text not null,
    action            text not null,
    event_id          uuid not null,
    event_type        text not null,
    request           jsonb not null,
    status            text not null check (status in ('pending', 'succeeded', 'failed')),
    attempt_count     int not null default 0,
    -- HTTP attempts since the call was created or last replayed: the retry budget counts these.
    cycle_attempts    int not null default 0,
    next_attempt_at   timestamptz null,
    lease_until       timestamptz null,
    last_status_code  int null,
    last_error_kind   text null,
    last_attempt_at   timestamptz null,
    failure_reason    text null,
    failed_at         timestamptz null,
    succeeded_at      timestamptz null,
    created_at        timestamptz not null,
    updated_at        timestamptz not null
);

-- The claim: due pending rows, oldest due first.
create index connector_calls_due_idx on connector_calls (next_attempt_at, id) where status = 'pending';
-- The lists: a connection's calls newest first; its dead letters (bulk replay walks them).
create index connector_calls_connection_created_idx on connector_calls (connection_id, created_at, id);
create index connector_calls_connection_failed_idx on connector_calls (connection_id, failed_at, id) where status = 'failed';
-- The operator view: pending per connection.
create index connector_calls_connection_pending_idx on connector_calls (connection_id) where status = 'pending';

alter table connector_calls set (autovacuum_vacuum_scale_factor = 0.01, autovacuum_analyze_scale_factor = 0.01);

-- Every attempt of a call, in the shape of webhook_delivery_attempts plus the request summary
-- (method and URL without its query). attempt numbers the HTTP attempts; rows with sent = false say
-- why a call waited without a request (circuit_open, quota_wait) and spend no attempt.
create table connector_call_attempts (
    id                    bigint generated always as identity primary key,
    call_id               uuid not null,
    tenant_id             uuid not null,
    connection_id         uuid not null,
    attempt               int null,
    sent                  boolean not null,
    method                text not null,
    url                   text not null,
    started_at            timestamptz not null,
    duration_ms           int not null,
    status_code           int null,
    response_body_excerpt text null,
    error_kind            text null,
    succeeded             boolean not null
);

create index connector_call_attempts_call_idx on connector_call_attempts (call_id, id);
-- The operator view: a connection's attempts over the last hour.
create index connector_call_attempts_connection_started_idx on connector_call_attempts (connection_id, started_at) where sent;

-- Per connection, what the runtime shares across Workers processes and shows operators: its circuit
-- breaker as Polly last reported it from any process (Polly decides in each process; this row shares
-- the open period with the others), and the incidents the runtime opened for its tenant. opened_at is
-- when the current outage began: a failed probe opens the circuit again but keeps it.
create table connector_connection_state (
    connection_id             uuid primary key,
    tenant_id                 uuid not null,
    provider                  text not null,
    circuit_state             text not null check (circuit_state in ('closed', 'open', 'half_open')),
    opened_at                 timestamptz null,
    open_until                timestamptz null,
    breaker_incident_open     boolean not null default false,
    dead_letter_incident_open boolean not null default false,
    updated_at                timestamptz not null
);

-- Calls counted against quotas, per fixed window, shared by every Workers process. scope is
-- 'connection:<id>' or 'provider:<id>'. Old windows are deleted by the dispatchers.
create table connector_quota_usage (
    scope          text not null,
    period_seconds int not null,
    window_start   timestamptz not null,
    used           int not null,
    primary key (scope, period_seconds, window_start)
);
