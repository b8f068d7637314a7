-- The product answers a command with its normal events, naming the command as data.command_id
-- (docs/kafka-topics.md). GET /api/v1/product-commands/{id}/result looks the answer up by it, and
-- waits for it: a partial expression index over the events that name a command (data is json,
-- kept verbatim, so ->> rather than jsonb's operators).

create index events_tenant_id_command_id_idx on events (tenant_id, (data->>'command_id'), sequence)
    where (data->>'command_id') is not null;
