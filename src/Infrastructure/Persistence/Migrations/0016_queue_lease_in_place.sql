-- A claim leased a queue row by moving its next_attempt_at to the lease's end. That column is the
-- due index's key, so every lease wrote a new row version elsewhere and a new entry into each of
-- the queue's three indexes: 16 shared buffers per delivery in the benchmark's fan-out 10 profile,
-- the most of any statement. A lease now sets lease_until only (claims pass over rows whose lease
-- has not run out), which no index reads, so it is a HOT update given room on the page. A queue
-- row is inserted, leased about once and deleted: half of each page is left for its new version.
alter table webhook_delivery_queue set (fillfactor = 50);
