'use strict';

// The app's triggers (issue 23): new entity, entity updated, entity status changed (entity.updated
// filtered on changed_fields, not an event of its own), new user joined, and any catalog event.

const { apiUrl } = require('./api');
const { restHookTrigger } = require('./hooks');

const fixed = (...types) => () => types;
const event = (type, data) => ({ id: '6f1c2b0e-4a43-5d6a-9a51-0c1d2e3f4a5b', event_type: type, timestamp: '2026-01-01T00:00:00+00:00', data });

const STATUS_CHANGED = [{ path: 'data.changed_fields', op: 'contains', value: 'status' }];

const entityUpdated = event('entity.updated', {
  entity_id: 'ent_8f2c1a', entity_type: 'project', changed_fields: ['status'], changes: { status: { from: 'active', to: 'archived' } },
});

const triggers = [
  restHookTrigger({
    key: 'entity_created', noun: 'Entity', label: 'New Entity', description: 'Triggers when a record is created in the product.',
    eventTypes: fixed('entity.created'),
    sample: event('entity.created', { entity_id: 'ent_8f2c1a', entity_type: 'project', attributes: { name: 'Website relaunch', status: 'active' } }),
  }),
  restHookTrigger({
    key: 'entity_updated', noun: 'Entity', label: 'Updated Entity', description: 'Triggers when a record is changed in the product.',
    eventTypes: fixed('entity.updated'), sample: entityUpdated,
  }),
  restHookTrigger({
    key: 'entity_status_changed', noun: 'Entity', label: 'Entity Status Changed', description: "Triggers when a record's status changes.",
    eventTypes: fixed('entity.updated'), filter: STATUS_CHANGED, sample: entityUpdated,
  }),
  restHookTrigger({
    key: 'user_joined', noun: 'User', label: 'New User Joined', description: 'Triggers when a user joins the organisation.',
    eventTypes: fixed('user.joined'), sample: event('user.joined', { user_id: 'usr_41d0', role: 'member' }),
  }),
  restHookTrigger({
    key: 'event', noun: 'Event', label: 'New Event', description: 'Triggers on any event type of the catalog that you choose.',
    eventTypes: (bundle) => [bundle.inputData.event_type],
    inputFields: [{ key: 'event_type', label: 'Event Type', required: true, dynamic: 'event_type_list.id.name', helpText: 'The type of event to trigger on.' }],
    sample: event('invoice.paid', { invoice_id: 'in_1Qx7', amount_cents: 4200, currency: 'EUR' }),
  }),
  {
    key: 'event_type_list',
    noun: 'Event Type',
    display: { label: 'Event Types', description: 'The event catalog, for the event type dropdown.', hidden: true },
    operation: {
      perform: async (z, bundle) => {
        const response = await z.request({ url: apiUrl(bundle, '/api/v1/event-types?limit=100') });
        return response.data.data.map((t) => ({ id: t.name, name: t.name, description: t.description }));
      },
      sample: { id: 'invoice.paid', name: 'invoice.paid', description: 'A payment succeeded.' },
    },
  },
];

module.exports = Object.fromEntries(triggers.map((t) => [t.key, t]));
