-- API processes keep who an API key is in memory (ApiKeyCache, issue 24). Any change to a key or a
-- tenant's plan is announced with the commit that makes it, whoever writes it (the inline
-- projection, a rebuild, an operator's SQL): the caches empty themselves on the NOTIFY. Statement
-- triggers, so a rebuild deleting every row sends one. Keys and plans change rarely, so the
-- notification queue's commit-time lock these transactions take costs nothing measurable.
create function notify_api_key_changes() returns trigger language plpgsql as $$
begin
    perform pg_notify('api_key_changes', '');
    return null;
end;
$$;

create trigger api_keys_changed after update of revoked_at, key_hash, tenant_id or delete on api_keys
    for each statement execute function notify_api_key_changes();
create trigger api_keys_truncated after truncate on api_keys
    for each statement execute function notify_api_key_changes();
create trigger tenants_plan_changed after update of plan or delete on tenants
    for each statement execute function notify_api_key_changes();
create trigger tenants_truncated after truncate on tenants
    for each statement execute function notify_api_key_changes();
