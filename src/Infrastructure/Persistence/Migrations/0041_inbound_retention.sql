-- Inbound retention (issue 20, docs/inbound.md): the Workers purge finished requests past
-- Inbound:Retention oldest first; this index finds them without reading the live ones.
create index inbound_requests_finished_received_at_idx on inbound_requests (received_at) where status <> 'pending';
