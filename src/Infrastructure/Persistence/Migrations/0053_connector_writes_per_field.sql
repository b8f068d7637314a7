-- A call may write several fields of one record (hubspot.upsert: each mapped property, ADR 0030), each
-- remembered for its own echo: one row per call and field instead of one per call.
alter table connector_writes drop constraint connector_writes_pkey;
alter table connector_writes add primary key (call_id, field);
