-- Customer notification of persistent failures (ADR 0018).
--
-- notifications: the in-app notices, a read model of the incident streams (NotificationsProjection,
-- inline; a rebuild deletes and replays it). One row per notice: 'opened' when an incident starts,
-- 'resolved' when it clears. The opened notice counts the failures the incident absorbed
-- (occurrences) and learns when it was resolved.
create table notifications (
    id           uuid        primary key,
    tenant_id    uuid        not null,
    incident_id  uuid        not null,
    notice       text        not null,
    kind         text        not null,
    subject_id   uuid        not null,
    summary      text        not null,
    detail       text        null,
    opened_at    timestamptz not null,
    created_at   timestamptz not null,
    occurrences  int         not null default 1,
    resolved_at  timestamptz null,
    read_at      timestamptz null,
    read_by      text        null
);

-- The list: the tenant's notices newest first (keyset on created_at, id), and the unread ones.
create index notifications_tenant_created_at_idx on notifications (tenant_id, created_at, id);
create index notifications_tenant_unread_idx on notifications (tenant_id, created_at, id) where read_at is null;

-- notification_mails: what must be mailed, one row per notice and recipient (the tenant's active
-- admins when the notice was made). Written by the notification use cases in the transaction of
-- the incident's event, so nothing acknowledged is lost; the Workers' notifications pipeline claims
-- due rows (next_attempt_at doubles as the lease of a claimed row), sends them and records the
-- outcome. Never rebuilt: a projection rebuild must not mail anyone again.
create table notification_mails (
    id              uuid        primary key,
    tenant_id       uuid        not null,
    notice_id       uuid        not null,
    notice          text        not null,
    kind            text        not null,
    subject_id      uuid        not null,
    tenant_name     text        not null,
    recipient       text        not null,
    summary         text        not null,
    detail          text        null,
    opened_at       timestamptz not null,
    occurred_at     timestamptz not null,
    status          text        not null default 'pending',
    attempts        int         not null default 0,
    next_attempt_at timestamptz not null,
    last_error      text        null,
    sent_at         timestamptz null,
    created_at      timestamptz not null,
    unique (notice_id, recipient)
);

create index notification_mails_due_idx on notification_mails (next_attempt_at) where status = 'pending';
