-- Bundles: messages of one topic and key that no platform consumer awaits (delivery outcomes),
-- written by one transaction, share one outbox row. The relay publishes them in order, as it
-- would publish one row each, and deletes the row once Kafka has them all. A row per outcome
-- cost a heap tuple, three index entries, a read and a delete per delivery: a fifth of
-- PostgreSQL's statement time at fan-out 10 in the webhook benchmark. A bundle row's payload and
-- headers are empty; bundle_payloads[i] and bundle_headers[i] (a JSON object, as headers) are its
-- messages.
alter table outbox add column bundle_payloads text[] null, add column bundle_headers text[] null;

-- A bundle of a few hundred outcomes is TOASTed. lz4 compresses it for a fraction of pglz's CPU;
-- a server built without lz4 keeps its default.
do $$
begin
    if exists (select 1 from pg_settings where name = 'default_toast_compression' and 'lz4' = any(enumvals)) then
        alter table outbox alter column bundle_payloads set compression lz4, alter column bundle_headers set compression lz4;
    end if;
end $$;
