-- Webhook deliveries (docs/webhooks.md#delivery). The webhook_delivery-<id> streams are the truth;
-- these tables are their inline projections (rebuildable), except webhook_endpoint_pacing, which
-- is the dispatchers' shared rate-limit state.

-- The delivery log: one row per (event, endpoint), the id being the webhook_id receivers see.
create table webhook_deliveries (
    id               uuid primary key,
    tenant_id        uuid not null,
    endpoint_id      uuid not null,
    event_id         uuid not null,
    event_type       text not null,
    is_test          boolean not null,
    status           text not null check (status in ('pending', 'succeeded', 'failed')),
    attempt_count    int not null,
    last_status_code int null,
    last_error_kind  text null,
    last_attempt_at  timestamptz null,
    -- Set while a retry is scheduled.
    next_attempt_at  timestamptz null,
    -- Set while dead-lettered (status failed).
    failure_reason   text null,
    failed_at        timestamptz null,
    created_at       timestamptz not null,
    updated_at       timestamptz not null
);

-- The lists, newest first, keyset over (created_at, id): a tenant's, an endpoint's, and the
-- admin's across tenants. Every row passes through 'pending' and most end 'succeeded', so the
-- indexes for status filters are partial, on the rare states only: a delivery that succeeds at
-- once never enters them, which halves the index writes of the hot path. Filtering on
-- 'succeeded' walks the plain index (nearly every row matches). Npgsql's unnamed statements are
-- planned with their parameter values, so a parameter 'failed' uses the partial index.
create index webhook_deliveries_tenant_created_idx on webhook_deliveries (tenant_id, created_at, id);
create index webhook_deliveries_endpoint_created_idx on webhook_deliveries (endpoint_id, created_at, id);
create index webhook_deliveries_created_idx on webhook_deliveries (created_at, id);
create index webhook_deliveries_tenant_pending_idx on webhook_deliveries (tenant_id, created_at, id) where status = 'pending';
create index webhook_deliveries_tenant_failed_idx on webhook_deliveries (tenant_id, created_at, id) where status = 'failed';
create index webhook_deliveries_failed_idx on webhook_deliveries (created_at, id) where status = 'failed';
-- Recover: an endpoint's dead letters since a time, walked in (failed_at, id) pages.
create index webhook_deliveries_dead_letters_idx on webhook_deliveries (endpoint_id, failed_at, id) where status = 'failed';

-- Every HTTP attempt of a delivery.
create table webhook_delivery_attempts (
    delivery_id           uuid not null,
    attempt               int not null,
    tenant_id             uuid not null,
    endpoint_id           uuid not null,
    started_at            timestamptz not null,
    duration_ms           int not null,
    status_code           int null,
    response_body_excerpt text null,
    error_kind            text null,
    succeeded             boolean not null,
    primary key (delivery_id, attempt)
);

-- The work queue: one row per pending delivery, deleted when it succeeds or is dead-lettered.
-- Dispatchers claim due rows with FOR UPDATE SKIP LOCKED and lease them by moving
-- next_attempt_at to the lease's end (lease_until), so a dispatcher that dies mid-request loses
-- nothing: its rows become due again when the lease runs out. A disabled endpoint's rows are
-- paused until it is enabled again.
create table webhook_delivery_queue (
    delivery_id     uuid primary key,
    tenant_id       uuid not null,
    endpoint_id     uuid not null,
    event_id        uuid not null,
    event_type      text not null,
    is_test         boolean not null,
    created_at      timestamptz not null,
    next_attempt_at timestamptz not null,
    lease_until     timestamptz null,
    attempts        int not null default 0,
    paused          boolean not null default false
);

create index webhook_delivery_queue_due_idx on webhook_delivery_queue (next_attempt_at) where not paused;
create index webhook_delivery_queue_endpoint_idx on webhook_delivery_queue (endpoint_id);

-- Every row is inserted, updated and deleted: vacuum far more often than the defaults, as for the outbox.
alter table webhook_delivery_queue set (autovacuum_vacuum_scale_factor = 0.01, autovacuum_analyze_scale_factor = 0.01);

-- Consecutive failed attempts per endpoint, reset by a success or by enabling the endpoint.
create table webhook_endpoint_health (
    endpoint_id          uuid primary key,
    tenant_id            uuid not null,
    consecutive_failures int not null,
    last_failure_at      timestamptz null,
    last_success_at      timestamptz null
);

-- The rate limit's state, shared by every dispatcher: the earliest time the endpoint's next
-- delivery may start (deliveries are spaced 60 s / rate_limit_per_minute apart).
create table webhook_endpoint_pacing (
    endpoint_id  uuid primary key,
    next_slot_at timestamptz not null
);
