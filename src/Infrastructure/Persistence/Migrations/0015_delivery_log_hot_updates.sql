-- A delivery's log row is inserted 'pending' and updated once when it succeeds. That update was
-- never HOT (a new row version on the same page, no new index entries): the partial indexes named
-- status in their conditions, so every success also wrote a new entry into each of the table's
-- four other indexes. Now no index of webhook_deliveries reads a column that a success changes:
--   * dead letters are the rows with a failed_at (the projection sets it exactly when status
--     becomes 'failed' and clears it on a requeue), so their indexes are partial on failed_at;
--   * pending deliveries are the rows of webhook_delivery_queue (a row exists exactly while its
--     delivery is pending, written in the same transaction as the log row), so the status=pending
--     lists read the queue: an endpoint's through its index, a tenant's (or the admin's) by
--     scanning it, which holds the backlog only.
drop index webhook_deliveries_tenant_pending_idx;
drop index webhook_deliveries_tenant_failed_idx;
drop index webhook_deliveries_failed_idx;
drop index webhook_deliveries_dead_letters_idx;
create index webhook_deliveries_tenant_failed_idx on webhook_deliveries (tenant_id, created_at, id) where failed_at is not null;
create index webhook_deliveries_failed_idx on webhook_deliveries (created_at, id) where failed_at is not null;
create index webhook_deliveries_dead_letters_idx on webhook_deliveries (endpoint_id, failed_at, id) where failed_at is not null;
drop index webhook_delivery_queue_endpoint_idx;
create index webhook_delivery_queue_endpoint_idx on webhook_delivery_queue (endpoint_id, created_at, delivery_id);

-- A HOT update also needs room on the row's page for the new version. Rows of these tables are
-- updated about once, soon after their insert; a page filled to 80 % (migration 0014 for
-- es_streams) has room for the new versions of a quarter of its rows before old versions can be
-- pruned, and the benchmark measured 28-52 % of the updates HOT. Filled to half, every row's one
-- update fits: 100 % HOT for the log in the same benchmark. The price is pages half empty, in two
-- tables of short rows (the log's row holds no payload; a stream's row is its id and version).
alter table webhook_deliveries set (fillfactor = 50);
alter table es_streams set (fillfactor = 50);
