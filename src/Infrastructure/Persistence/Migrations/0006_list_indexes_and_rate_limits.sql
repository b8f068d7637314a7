-- List conventions (docs/api/conventions.md): every order a list offers is a keyset over
-- (scope, sort keys, id), served by one of these indexes, so a page deep in a list costs what the
-- first page costs. A B-tree serves both directions, so one index covers :asc and :desc.

create index events_tenant_id_timestamp_id_idx on events (tenant_id, "timestamp", id);
-- sort=event_type,timestamp, and event_type=… with the default order.
create index events_tenant_id_event_type_timestamp_id_idx on events (tenant_id, event_type, "timestamp", id);
-- The sequence-ordered list these served is gone; nothing else reads events by (tenant_id, sequence).
drop index events_tenant_id_sequence_idx;
drop index events_tenant_id_event_type_sequence_idx;

create index api_keys_tenant_id_created_at_id_idx on api_keys (tenant_id, created_at, id);
drop index api_keys_tenant_id_created_at_idx;

create index tenants_created_at_id_idx on tenants (created_at, id);
create index tenants_name_id_idx on tenants (name, id);
-- plan=… with the default order.
create index tenants_plan_created_at_id_idx on tenants (plan, created_at, id);

create index webhook_endpoints_tenant_id_created_at_id_idx on webhook_endpoints (tenant_id, created_at, id);

-- Rate-limit counters (ADR 0007): one row per partition (tenant, admin, client address) and fixed
-- window, incremented atomically by every API instance, so the quota holds across instances.
-- Unlogged: a counter lost in a crash costs at most one window of leniency, and skipping the WAL
-- keeps the per-request upsert cheap. Rows of past windows are deleted by the API.
create unlogged table rate_limit_counters (
    partition_key text not null,
    window_start  timestamptz not null,
    count         bigint not null,
    primary key (partition_key, window_start)
);

create index rate_limit_counters_window_start_idx on rate_limit_counters (window_start);
