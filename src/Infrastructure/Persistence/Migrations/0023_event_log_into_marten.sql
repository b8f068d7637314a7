-- The event log moves into Marten (ADR 0011): every event of es_events keeps its id, stream,
-- version, time and global sequence (seq_id = global_seq, so event sequences clients have seen
-- stay the same), its tenant (Marten's tenant id is the tenant's UUID; the platform's own streams
-- are Marten's default tenant) and its metadata (correlation and causation ids, the actor as a
-- header). The stored names and the JSON of the events are unchanged: Marten maps each record to
-- the name it always had. The read models stay as they are: they were projected from these events.

insert into marten.mt_streams (tenant_id, id, type, version, timestamp, created, compacted_version, is_archived)
select coalesce(tenant_id::text, '*DEFAULT*'), stream_id, null, max(stream_version), max(created_at), min(created_at), 0, false
from es_events
group by coalesce(tenant_id::text, '*DEFAULT*'), stream_id;

-- Marten reads the record's .NET type beside its name: those of the stored names at this release.
insert into marten.mt_events (seq_id, id, stream_id, version, data, type, timestamp, tenant_id, mt_dotnet_type, correlation_id, causation_id, headers, is_archived)
select e.global_seq, e.event_id, e.stream_id, e.stream_version, e.data, e.event_type, e.created_at, coalesce(e.tenant_id::text, '*DEFAULT*'),
       t.dotnet_type, e.metadata->>'correlation_id', e.metadata->>'causation_id', jsonb_build_object('actor', coalesce(e.metadata->>'actor', '')), false
from es_events e
join (values
    ('ApiKeyIssued', 'Integrations.Domain.Tenants.ApiKeyIssued, Integrations.Domain'),
    ('ApiKeyRevoked', 'Integrations.Domain.Tenants.ApiKeyRevoked, Integrations.Domain'),
    ('EventAccepted', 'Integrations.Domain.Events.EventAccepted, Integrations.Domain'),
    ('EventDispatched', 'Integrations.Domain.Events.EventDispatched, Integrations.Domain'),
    ('TenantCreated', 'Integrations.Domain.Tenants.TenantCreated, Integrations.Domain'),
    ('TenantPlanChanged', 'Integrations.Domain.Tenants.TenantPlanChanged, Integrations.Domain'),
    ('WebhookAttemptMade', 'Integrations.Domain.Webhooks.WebhookAttemptMade, Integrations.Domain'),
    ('WebhookDeliveryCreated', 'Integrations.Domain.Webhooks.WebhookDeliveryCreated, Integrations.Domain'),
    ('WebhookDeliveryFailed', 'Integrations.Domain.Webhooks.WebhookDeliveryFailed, Integrations.Domain'),
    ('WebhookDeliveryRequeued', 'Integrations.Domain.Webhooks.WebhookDeliveryRequeued, Integrations.Domain'),
    ('WebhookDeliverySucceeded', 'Integrations.Domain.Webhooks.WebhookDeliverySucceeded, Integrations.Domain'),
    ('WebhookEndpointCreated', 'Integrations.Domain.Webhooks.WebhookEndpointCreated, Integrations.Domain'),
    ('WebhookEndpointDeleted', 'Integrations.Domain.Webhooks.WebhookEndpointDeleted, Integrations.Domain'),
    ('WebhookEndpointDisabled', 'Integrations.Domain.Webhooks.WebhookEndpointDisabled, Integrations.Domain'),
    ('WebhookEndpointEnabled', 'Integrations.Domain.Webhooks.WebhookEndpointEnabled, Integrations.Domain'),
    ('WebhookEndpointSecretRotated', 'Integrations.Domain.Webhooks.WebhookEndpointSecretRotated, Integrations.Domain'),
    ('WebhookEndpointUpdated', 'Integrations.Domain.Webhooks.WebhookEndpointUpdated, Integrations.Domain'),
    ('WebhookRetryScheduled', 'Integrations.Domain.Webhooks.WebhookRetryScheduled, Integrations.Domain')
) as t(name, dotnet_type) on t.name = e.event_type
order by e.global_seq;

-- Every event was copied: a name outside the list above stops the migration here, before es_events is dropped.
do $$
begin
    if (select count(*) from marten.mt_events) <> (select count(*) from es_events) then
        raise exception 'es_events holds event types this release does not know; nothing was migrated';
    end if;
end
$$;

select setval('marten.mt_events_sequence', greatest((select max(seq_id) from marten.mt_events), 1), (select count(*) > 0 from marten.mt_events));

drop table es_events;
