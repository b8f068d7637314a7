-- The operator dashboard's delivery charts sum every tenant's delivery statistics over the last hour
-- or day: an index on the minute alone serves that range (the primary key leads with endpoint_id,
-- the tenant index with tenant_id).
create index webhook_delivery_stats_minute_idx on webhook_delivery_stats (minute);
