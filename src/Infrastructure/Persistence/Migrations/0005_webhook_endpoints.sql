-- Webhook endpoints: the inline projection of the webhook_endpoint-<id> streams, read by the API
-- and by the delivery fan-out. Deleted endpoints are removed. secrets holds the protected
-- (encrypted) values only: [{secret_id, protected, expires_at}], the current one with a null expires_at.

create table webhook_endpoints (
    id                    uuid primary key,
    tenant_id             uuid not null,
    url                   text not null,
    event_types           text[] not null,
    description           text null,
    rate_limit_per_minute int not null,
    status                text not null check (status in ('enabled', 'disabled')),
    disabled_reason       text null,
    disabled_message      text null,
    disabled_at           timestamptz null,
    secrets               jsonb not null,
    created_at            timestamptz not null,
    updated_at            timestamptz not null,
    -- The endpoint stream's version.
    version               bigint not null,
    -- The global_seq of the WebhookEndpointCreated: newest-first keyset for pagination.
    sequence              bigint not null unique
);

create index webhook_endpoints_tenant_id_sequence_idx on webhook_endpoints (tenant_id, sequence desc);

-- Fan-out: "which enabled endpoints of this tenant take this type (or '*')" is an overlap query.
create index webhook_endpoints_event_types_idx on webhook_endpoints using gin (event_types);
