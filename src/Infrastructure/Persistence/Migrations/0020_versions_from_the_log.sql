-- A stream's version is the highest stream_version of its events: es_events' unique
-- (stream_id, stream_version) already lets exactly one writer take each version, so es_streams
-- was a second copy of that fact kept up to date on every append. That cost an inserted row (a
-- heap tuple, an index entry and their WAL) per new stream and an update per append to an
-- existing one: every delivery creates a stream and extends it once or more, about an eighth of
-- the database's buffer accesses and WAL records per delivery in the webhook benchmark. An
-- append now checks, in the statement that inserts its events, that the stream has the expected
-- version (ADR 0002). Its other columns were read by nothing: a stream's type is the prefix of
-- its id, its tenant is on each event.
drop table es_streams;
