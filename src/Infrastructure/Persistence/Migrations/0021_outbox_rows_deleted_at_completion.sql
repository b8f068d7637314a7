-- An outbox row that a platform consumer completes is deleted then (PostgresBulkOutbox), no longer
-- marked completed and kept for Outbox:RetentionPeriod. Nothing read a completed row: an event's
-- dispatch is recorded in its stream and the events read model. The update at completion wrote a
-- new version of the row with new entries in every index (it changed indexed columns), one per
-- accepted event, and the row was deleted a week later anyway.
delete from outbox where completed_at is not null;
drop index outbox_completed_at_idx;
drop index outbox_awaiting_completion_idx;
alter table outbox drop column completed_at;
-- The sweeper's overdue rows: published, awaited, not yet completed (that is, still here).
create index outbox_awaiting_completion_idx on outbox (published_at) where awaits_consumer and published_at is not null;
