-- The transactional outbox (ADR 0003): Kafka messages written in the same transaction as the events
-- they announce, then published by the Workers host's relay. PostgreSQL is the source of truth: a
-- row leaves the relay's queue only when Kafka acknowledged it, and a row that awaits a platform
-- consumer is published again (by the sweeper) until that consumer reports completion.

create table outbox (
    id              bigserial primary key,
    message_id      uuid not null unique,
    topic           text not null,
    message_key     text not null,
    payload         text not null,
    headers         jsonb not null,
    awaits_consumer boolean not null,
    created_at      timestamptz not null default now(),
    published_at    timestamptz null,
    completed_at    timestamptz null,
    -- Successful publications; the sweeper backs off exponentially on it.
    publish_count   int not null default 0,
    -- Consecutive failed publication attempts since the last success; the relay backs off on it.
    failure_count   int not null default 0,
    next_attempt_at timestamptz not null default now(),
    last_error      text null
);

-- A queue table: every row is inserted, updated twice and deleted. Vacuum and analyze it far more
-- often than the defaults (20% / 10% of the table changed) so dead index entries do not pile up
-- in front of the relay and the planner keeps choosing the ordered index scan for its batches.
alter table outbox set (autovacuum_vacuum_scale_factor = 0.01, autovacuum_analyze_scale_factor = 0.01);

-- The relay's queue, in id (insertion) order; it shrinks as rows are published.
create index outbox_unpublished_idx on outbox (id) where published_at is null;

-- Per-key ordering: a row waits while an older row of its key backs off after a failed attempt.
-- Only failed rows can be backing off, so the index stays tiny and the relay's check costs a probe.
create index outbox_backing_off_idx on outbox (topic, message_key, id) where published_at is null and failure_count > 0;

-- The sweeper: published rows whose consumer has not reported completion.
create index outbox_awaiting_completion_idx on outbox (published_at) where completed_at is null and published_at is not null;

-- Retention: completed rows are deleted after Outbox:RetentionPeriod.
create index outbox_completed_at_idx on outbox (completed_at) where completed_at is not null;
