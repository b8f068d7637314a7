-- Pacing of connector calls by key within a connection (issue 21, docs/connections.md): the next
-- time a call with that key may go, e.g. Slack's one message a second per channel, shared by every
-- Workers process. Owned by the connector runtime's quota counters, beside connector_quota_usage.
create table connector_pacing (
    scope   text primary key,
    next_at timestamptz not null
);
