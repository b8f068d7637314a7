-- Whether the runtime has a "calls wait for the provider's quota" incident open for the connection (ADR 0031:
-- Exact Online's used-up day holds a connection's calls for hours, and the tenant hears it once, and again when
-- they go through). Set and cleared by the record step, like breaker_incident_open.
alter table connector_connection_state add column quota_incident_open boolean not null default false;
