-- REST hooks (ADR 0022): a hook is a kind of webhook endpoint, subscribed by an automation tool
-- through /api/v1/hooks. kind tells the two apart; filter holds a hook's conditions on the event
-- ([{path, op, value}], the routes' filter language), [] for every event of its types. Existing
-- rows are endpoints without a filter, which is what their creation events say.

alter table webhook_endpoints
    add column kind text not null default 'endpoint' check (kind in ('endpoint', 'hook')),
    add column filter jsonb not null default '[]'::jsonb;

-- GET /api/v1/hooks: a tenant's hooks in the list order of webhook_endpoints.
create index webhook_endpoints_tenant_id_kind_created_at_id_idx on webhook_endpoints (tenant_id, kind, created_at, id);
