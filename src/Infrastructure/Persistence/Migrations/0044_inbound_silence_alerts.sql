-- Silence alerts of inbound sources (issue 20, docs/inbound.md): how long a source may receive
-- nothing verified before its tenant is told, and since when the current setting counts (the
-- source's creation, or the last change), so a source that never received anything is silent too.
alter table inbound_sources add column silence_alert_after_seconds int null;
alter table inbound_sources add column silence_alert_since timestamptz null;

-- The watcher reads only the sources that have an alert.
create index inbound_sources_silence_alert_idx on inbound_sources (id) where silence_alert_after_seconds is not null and deleted_at is null;

-- The last verified request of a source: its newest row that is not a refusal.
create index inbound_requests_source_verified_idx on inbound_requests (source_id, received_at) where source_id is not null and status <> 'rejected';
