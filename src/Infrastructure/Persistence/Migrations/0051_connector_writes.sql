-- The writes the connector runtime makes at providers (issue 21, ADR 0027: jira.transition moving an
-- issue's status), remembered so the provider's webhook reporting them does not come back as a change:
-- one row per call that makes a write, from the call's creation (a webhook may arrive before the call's
-- answer), written_at set when it succeeded, removed when it was dead-lettered or written_at is older
-- than the echo window. echo_key is the provider's change that matched it (used up, but a redelivery of
-- that same change still matches). Owned by the connectors persistence (ConnectorWrites): the record step
-- remembers and settles, the way-back handlers consume.
create table connector_writes (
    call_id       uuid        primary key,
    tenant_id     uuid        not null,
    connection_id uuid        not null,
    external_type text        not null,
    external_id   text        not null,
    field         text        not null,
    value         text        not null,
    created_at    timestamptz not null,
    written_at    timestamptz null,
    echo_key      text        null
);

create index connector_writes_target_idx on connector_writes (connection_id, external_type, external_id, field);
create index connector_writes_written_idx on connector_writes (written_at) where written_at is not null;
