-- The relay's per-key ordering check looked for an older backing-off row of the same key with
-- "published_at is null and failure_count > 0". Under a burst the planner's statistics still
-- said the queue was empty, and it served that check from outbox_unpublished_idx, walking every
-- unpublished row for every row of the batch: 3.5 s a round with 11,000 rows queued in the
-- webhook benchmark. The check now says only "failure_count > 0" (every path that publishes a
-- row resets the count, so such a row is unpublished), which outbox_unpublished_idx cannot serve.
update outbox set failure_count = 0 where published_at is not null and failure_count > 0;
drop index outbox_backing_off_idx;
create index outbox_backing_off_idx on outbox (topic, message_key, id) where failure_count > 0;
