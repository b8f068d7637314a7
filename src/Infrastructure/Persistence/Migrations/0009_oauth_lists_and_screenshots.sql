-- The OAuth and marketplace lists under the list conventions (docs/api/conventions.md): every order
-- they offer is a keyset over (scope, sort key, id) served by one of these indexes.

-- GET /api/v1/members: removed members are never listed, so the index leaves them out.
create index members_tenant_id_invited_at_id_idx on members (tenant_id, invited_at, id) where status <> 'removed';

-- GET /api/v1/apps (a developer organisation's apps): sort=created_at and sort=name.
create index oauth_apps_owner_created_at_id_idx on oauth_apps (owner_tenant_id, created_at, id);
create index oauth_apps_owner_name_id_idx on oauth_apps (owner_tenant_id, name, id);

-- GET /api/v1/marketplace/apps: approved public apps only, so partial indexes stay small.
create index oauth_apps_marketplace_created_at_id_idx on oauth_apps (created_at, id) where visibility = 'public' and review_status = 'approved';
create index oauth_apps_marketplace_name_id_idx on oauth_apps (name, id) where visibility = 'public' and review_status = 'approved';

-- GET /api/v1/installed-apps groups an organisation's active grants by app; oauth_grants_by_tenant_app
-- (0008) serves that scan. The keyset then applies to one row per installed app, a handful per organisation.

-- The marketplace detail page (issue 5): up to 8 https screenshot URLs, shown in this order.
alter table oauth_apps add column screenshot_urls text[] not null default '{}';
