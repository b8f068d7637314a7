-- Idempotency-Key records: the first result of an idempotent command, replayed for 24 hours.
-- Rows past expires_at are invisible to lookups and removed by later saves.

create table idempotency_keys (
    scope         text not null,
    key           text not null,
    request_hash  text not null,
    response_json text not null,
    created_at    timestamptz not null,
    expires_at    timestamptz not null,
    primary key (scope, key)
);

create index idempotency_keys_expires_at_idx on idempotency_keys (expires_at);
