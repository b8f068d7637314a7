-- Less work per appended event (every delivery appends about four):
--
-- es_events.stream_id referenced es_streams. Every append already inserts or compare-and-sets the
-- stream's row in the same transaction before inserting its events, and es_streams rows are never
-- deleted, so the foreign key could not catch anything the append does not; but PostgreSQL checked
-- it per inserted event with a query and a KEY SHARE row lock on es_streams (a tenth of the
-- database's CPU in the webhook benchmark's batch phase, found with perf). Integrity stays with
-- the append (ADR 0002) and the unique (stream_id, stream_version).
alter table es_events drop constraint es_events_stream_id_fkey;

-- No query reads es_events by tenant (reads go by stream, rebuilds by global_seq): the index was
-- one more insert per event for nothing.
drop index es_events_tenant_id_idx;
