-- Marketplace categories (issue 19): each app sits in one category of a fixed list
-- (Domain/Marketplace/AppCategories); apps registered before have none in their events and are
-- 'other'. The marketplace index lists one category newest first from this partial index; its
-- text search (name and description) is a filter over the approved public apps, which stay few.
alter table oauth_apps add column category text not null default 'other';

create index oauth_apps_marketplace_category_created_at_id_idx on oauth_apps (category, created_at, id)
    where visibility = 'public' and review_status = 'approved';
