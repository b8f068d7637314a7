-- Registration health (issues 20 and 21, ADR 0028): the registrations the platform keeps at a
-- connection's provider so that changes there come back (a Jira dynamic webhook …), one row per
-- connection and kind. The Workers check each at next_check_at (claimed with a lease, SKIP LOCKED):
-- still there, as wanted, renewed before it expires, registered again when gone. Owned by the
-- connector runtime (Infrastructure/Connectors/PostgresProviderRegistrations).
create table provider_registrations (
    tenant_id         uuid        not null,
    connection_id     uuid        not null,
    kind              text        not null,
    provider          text        not null,
    status            text        not null,
    external_id       text        null,
    fingerprint       text        null,
    url               text        null,
    events            text[]      not null default '{}',
    filter            text        null,
    expires_at        timestamptz null,
    registered_at     timestamptz null,
    last_checked_at   timestamptz null,
    next_check_at     timestamptz not null,
    failures_in_a_row int         not null default 0,
    last_error        text        null,
    leased_until      timestamptz null,
    primary key (connection_id, kind)
);

create index provider_registrations_due_idx on provider_registrations (next_check_at);
create index provider_registrations_tenant_idx on provider_registrations (tenant_id, connection_id);
