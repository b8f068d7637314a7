-- The e-mail connector (issue 22, ADR 0032; docs/connectors/email.md).
--
-- email_addresses: the tenants' inbound addresses, read model of the email_address-<id> streams
-- (EmailAddressesProjection, inline). token is the local part of <token>@<Email:InboundDomain>: unique
-- for good, so a revoked address's token never names another tenant.
create table email_addresses (
    id                  uuid        primary key,
    tenant_id           uuid        not null,
    token               text        not null unique,
    entity_type         text        not null,
    replies_as_comments boolean     not null,
    created_at          timestamptz not null,
    revoked_at          timestamptz null,
    version             bigint      not null
);

create index email_addresses_tenant_created_at_idx on email_addresses (tenant_id, created_at, id);

-- The shared inbox: a thread per conversation (token: its plus address token+thread@domain), the entity
-- it became once the product answered its entity.create (create_command_id), and its messages, in and out.
create table email_threads (
    id                uuid        primary key,
    tenant_id         uuid        not null,
    address_id        uuid        not null,
    token             text        not null unique,
    subject           text        not null,
    entity_type       text        not null,
    entity_id         text        null,
    create_command_id uuid        not null,
    created_at        timestamptz not null,
    last_message_at   timestamptz not null
);

create index email_threads_tenant_last_idx on email_threads (tenant_id, last_message_at, id);

-- message_id is the mail's Message-ID (without brackets), or sha256:<hex of its bytes> for a mail without one;
-- one per address, so threading finds the thread of a referenced message and a repeat is written once.
create table email_messages (
    id            uuid        primary key,
    tenant_id     uuid        not null,
    thread_id     uuid        not null references email_threads (id),
    address_id    uuid        not null,
    direction     text        not null check (direction in ('in', 'out')),
    message_id    text        not null,
    from_address  text        not null,
    from_name     text        null,
    to_addresses  text[]      not null,
    subject       text        not null,
    text_body     text        null,
    html_body     text        null,
    truncated     boolean     not null,
    -- The Message-IDs it refers to (References), so a reply to it carries them on.
    references_ids text[]     not null,
    command_id    uuid        null,
    created_at    timestamptz not null,
    unique (address_id, message_id)
);

create index email_messages_thread_idx on email_messages (thread_id, created_at, id);

-- Attachments are kept as bytes and only ever served as downloads (application/octet-stream); one over
-- Email:MaxAttachmentBytes keeps its name, type and size without content (too_large).
create table email_attachments (
    message_id   uuid    not null references email_messages (id),
    position     int     not null,
    tenant_id    uuid    not null,
    file_name    text    not null,
    content_type text    not null,
    size         bigint  not null,
    too_large    boolean not null,
    content      bytea   null,
    primary key (message_id, position)
);
