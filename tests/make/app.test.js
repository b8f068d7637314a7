'use strict';

// Every HTTP call of the Make app (integrations/make) with the API-key connection, against the
// running system (tests/make/run.sh starts it): the definition's templates are expanded for sample
// inputs (./iml.js), sent as Make's runtime would (./runtime.js), and the responses mapped as the
// definition says. The test plays the product (answering commands) and Make's webhook URLs (a local
// HTTP sink). The fixtures come from the Zapier app's tests (integrations/zapier/test/system.js).

const { describe, it } = require('node:test');
const assert = require('assert');
const { Webhook } = require('standardwebhooks');
const { call, createTenant, publish, eventually, answerAsProduct, sinkForSuite } = require('../../integrations/zapier/test/system');
const { manifest, code, run, receive, MakeError } = require('./runtime');

const connectionOf = (tenant) => ({ baseUrl: tenant.authData.base_url, apiKey: tenant.key });
const moduleCall = (id, tenant, parameters) => run(code('module', id, 'communication'), { connection: connectionOf(tenant), parameters });

// What each webhook subscribes to (docs/no-code.md's trigger table) and an event that must reach it.
const WEBHOOKS = {
  'entity-created': { types: ['entity.created'], event: ['entity.created', { entity_id: 'E-1', entity_type: 'project', attributes: { name: 'A' } }] },
  'entity-updated': { types: ['entity.updated'], event: ['entity.updated', { entity_id: 'E-1', changed_fields: ['name'] }] },
  'entity-status-changed': {
    types: ['entity.updated'], filter: [{ path: 'data.changed_fields', op: 'contains', value: 'status' }],
    event: ['entity.updated', { entity_id: 'E-1', changed_fields: ['status'], changes: { status: { from: 'active', to: 'archived' } } }],
  },
  'user-joined': { types: ['user.joined'], event: ['user.joined', { user_id: 'usr_1', role: 'member' }] },
  'catalog-event': { parameters: { eventType: 'invoice.failed' }, types: ['invoice.failed'], event: ['invoice.failed', { invoice_id: 'in_1', amount_cents: 100, currency: 'EUR' }] },
};

describe('the Make app against the running system (API key)', () => {
  const sink = sinkForSuite();

  it('the API-key connection is verified by a call, and a wrong key is refused with Make\'s InvalidAccessTokenError', async () => {
    const tenant = await createTenant();
    const parameters = connectionOf(tenant);
    const verified = await run(code('connection', 'apikey', 'communication'), { parameters }, { withBase: false });
    assert.equal(verified.responses[0].statusCode, 200);
    assert.deepEqual(verified.metadata, { type: 'text', value: parameters.baseUrl });
    await assert.rejects(run(code('connection', 'apikey', 'communication'), { parameters: { ...parameters, apiKey: `${tenant.key}x` } }, { withBase: false }),
      (e) => e instanceof MakeError && e.type === 'InvalidAccessTokenError' && e.statusCode === 401 && /refused the credentials/.test(e.message));
  });

  for (const [webhookId, expected] of Object.entries(WEBHOOKS)) {
    it(`webhook ${webhookId}: attach subscribes a hook, a published event arrives signed and passes the trigger, detach unsubscribes`, async () => {
      const tenant = await createTenant();
      const url = sink.newUrl();
      const attached = await run(code('webhook', webhookId, 'attach'), { connection: connectionOf(tenant), parameters: expected.parameters || {}, webhook: { url } });
      const hook = attached.responses[0].body;
      assert.deepEqual(attached.data, { externalHookId: hook.id }, 'response.data keeps the hook id for detach, and nothing secret');
      const stored = (await call('GET', `/api/v1/hooks/${hook.id}`, tenant.key)).json;
      assert.deepEqual([stored.target_url, stored.event_types, stored.filter], [url, expected.types, expected.filter || []]);

      const eventId = await publish(tenant, ...expected.event);
      await eventually(() => sink.received(url).length === 1, 'the event was delivered to the webhook URL');
      const delivery = sink.received(url)[0];
      const signed = new Webhook(hook.secret).verify(delivery.body, delivery.headers);
      assert.equal(signed.id, eventId, 'the Standard Webhooks signature verifies with the hook secret');
      const bundles = receive(webhookId, delivery);
      assert.equal(bundles.length, 1, 'the webhook communication lets it through');
      assert.deepEqual([bundles[0].id, bundles[0].event_type, bundles[0].endpoint_id], [eventId, expected.types[0], hook.id]);
      const [triggerId] = Object.entries(manifest.components.module).find(([, m]) => m.webhook === webhookId);
      assert.deepEqual(Object.keys(bundles[0]).sort(), Object.keys(code('module', triggerId, 'samples')).sort(), `${triggerId}'s sample has the delivery's fields`);
      assert.deepEqual(code('module', triggerId, 'interface').map((f) => f.name).sort(), Object.keys(bundles[0]).sort(), `${triggerId}'s interface names them`);

      const detached = await run(code('webhook', webhookId, 'detach'), { connection: connectionOf(tenant), webhook: { url, ...attached.data } });
      assert.equal(detached.responses[0].statusCode, 204);
      assert.equal((await call('GET', `/api/v1/hooks/${hook.id}`, tenant.key)).status, 404);
      await assert.rejects(run(code('webhook', webhookId, 'detach'), { connection: connectionOf(tenant), webhook: attached.data }),
        (e) => e.type === 'DataError' && /hook_not_found/.test(e.message), 'a second detach shows the platform\'s 404');
    });
  }

  it('Entity status changed: only status changes reach the hook, and the webhook drops any other update', async () => {
    const tenant = await createTenant();
    const statusUrl = sink.newUrl();
    const updatesUrl = sink.newUrl();
    const connection = connectionOf(tenant);
    await run(code('webhook', 'entity-status-changed', 'attach'), { connection, webhook: { url: statusUrl } });
    await run(code('webhook', 'entity-updated', 'attach'), { connection, webhook: { url: updatesUrl } });
    await publish(tenant, 'entity.updated', { entity_id: 'E-2', changed_fields: ['name'] });
    await publish(tenant, 'entity.updated', { entity_id: 'E-2', changed_fields: ['status'] });
    await eventually(() => sink.received(updatesUrl).length === 2 && sink.received(statusUrl).length >= 1, 'both updates were delivered');
    assert.equal(sink.received(statusUrl).length, 1);
    const [nameChange] = sink.received(updatesUrl).filter((d) => JSON.parse(d.body).data.changed_fields[0] === 'name');
    assert.deepEqual(receive('entity-status-changed', nameChange), [], 'the communication condition refuses a name change');
  });

  it("the instant triggers' samples and interfaces have the fields of the platform's samples (GET /api/v1/hooks/samples)", async () => {
    const tenant = await createTenant();
    for (const [moduleId, meta] of Object.entries(manifest.components.module).filter(([, m]) => m.moduleType === 'instant_trigger')) {
      const sample = code('module', moduleId, 'samples');
      const [platform] = (await call('GET', `/api/v1/hooks/samples?event_type=${sample.event_type}`, tenant.key)).json;
      assert.deepEqual(Object.keys(sample.data).sort(), Object.keys(platform.data).sort(), `${moduleId}'s sample data`);
      const names = code('module', moduleId, 'interface').map((field) => field.name);
      for (const field of ['id', 'event_type', 'timestamp', 'data']) assert.ok(names.includes(field), `${moduleId}'s interface has ${field}`);
      assert.ok(meta.webhook && manifest.components.webhook[meta.webhook], `${moduleId} names its webhook`);
    }
  });

  it('the event-types RPC lists the catalog as options', async () => {
    const tenant = await createTenant();
    const { bundles } = await run(code('rpc', 'listEventTypes', 'communication'), { connection: connectionOf(tenant) });
    assert.ok(bundles.some((o) => o.label === 'invoice.failed' && o.value === 'invoice.failed' && o.description));
    assert.ok(bundles.length >= 10);
  });

  it('Create an entity sends entity.create, returns the product\'s answer, and Get an entity reads the record (an unknown one is a 404 DataError)', async () => {
    const tenant = await createTenant();
    const product = answerAsProduct(tenant, { entity_id: 'P-1', entity_type: 'project' });
    const created = await moduleCall('createEntity', tenant, { entityType: 'project', attributes: [{ name: 'name', value: 'Relaunch' }, { name: 'status', value: 'active' }] });
    const command = await product;
    assert.deepEqual([command.target.type, command.data.attributes], ['project', { name: 'Relaunch', status: 'active' }]);
    assert.deepEqual([created.output.command_id, created.output.status, created.output.event.event_type, created.output.event.data.entity_id],
      [command.id, 'answered', 'entity.created', 'P-1']);

    let found;
    await eventually(async () => {
      try {
        found = await moduleCall('findEntity', tenant, { entityType: 'project', entityId: 'P-1' });
        return true;
      } catch {
        return false;
      }
    }, 'the entity read model has it');
    assert.deepEqual([found.output.entity_id, found.output.attributes.name], ['P-1', 'Relaunch']);
    await assert.rejects(moduleCall('findEntity', tenant, { entityType: 'project', entityId: 'P/404' }),
      (e) => e instanceof MakeError && e.type === 'DataError' && e.statusCode === 404 && /entity_not_found/.test(e.message));
  });

  it('Update an entity returns the command as pending when the product does not answer within the wait', async () => {
    const tenant = await createTenant();
    const started = Date.now();
    const updated = await moduleCall('updateEntity', tenant, { entityType: 'task', entityId: 'T-9', attributes: [{ name: 'status', value: 'done' }] });
    assert.equal(updated.output.status, 'pending');
    assert.ok(Date.now() - started >= 9000, 'it waited for the answer');
    const command = (await call('GET', `/api/v1/product-commands/${updated.output.command_id}`, tenant.key)).json;
    assert.deepEqual([command.command, command.target, command.data.attributes], ['entity.update', { type: 'task', id: 'T-9' }, { status: 'done' }]);
  });

  it('Search entities by attribute pages through the cursor list and stops at the limit', async () => {
    const tenant = await createTenant();
    const events = Array.from({ length: 130 }, (_, n) => ({
      event_type: 'entity.created', data: { entity_id: `T-${n}`, entity_type: 'task', attributes: { colour: n % 2 ? 'red' : 'blue', n } },
    }));
    for (const batch of [events.slice(0, 100), events.slice(100)]) {
      assert.equal((await call('POST', '/api/v1/events/batch', tenant.key, { events: batch })).status, 202);
    }
    await eventually(async () => (await call('GET', '/api/v1/entities?entity_type=task&limit=100', tenant.key)).json.has_more, 'more than a page of tasks');
    await eventually(async () => (await moduleCall('findEntities', tenant, { entityType: 'task', attribute: 'colour', value: 'blue', status: 'active', limit: 100 })).bundles.length === 65,
      'all 65 blue tasks are found');
    const all = await moduleCall('findEntities', tenant, { entityType: 'task', attribute: 'colour', value: 'blue', status: 'active', limit: 100 });
    assert.equal(all.responses.length, 2, 'the second page was asked for with the first page\'s cursor');
    assert.ok(all.sent[1].url.includes(`cursor=${encodeURIComponent(all.responses[0].body.next_cursor)}`));
    assert.ok(all.bundles.every((e) => e.attributes.colour === 'blue' && e.entity_type === 'task'));
    const few = await moduleCall('findEntities', tenant, { entityType: 'task', attribute: 'n', value: '7', status: 'active', limit: 10 });
    assert.deepEqual(few.bundles.map((e) => e.entity_id), ['T-7'], 'numbers compare as text');
    const limited = await moduleCall('findEntities', tenant, { entityType: 'task', attribute: 'colour', value: 'red', status: 'active', limit: 5 });
    assert.deepEqual([limited.bundles.length, limited.responses.length], [5, 1]);
  });

  it('Add a user invites by e-mail without the invitation token, and Search users by e-mail finds them ignoring case', async () => {
    const tenant = await createTenant();
    const email = `ana.${Date.now()}@example.com`;
    const added = await moduleCall('addUser', tenant, { email, role: 'member' });
    assert.deepEqual([added.output.email, added.output.status], [email, 'invited']);
    assert.ok(!JSON.stringify(added.output).includes('invitation_token'));
    const found = await moduleCall('findUser', tenant, { email: email.toUpperCase() });
    assert.deepEqual(found.bundles.map((m) => m.id), [added.output.id]);
    assert.deepEqual((await moduleCall('findUser', tenant, { email: 'nobody@example.com' })).bundles, []);
  });

  it("Send an event publishes it, and the platform's 422 becomes Make's DataError with the platform's message", async () => {
    const tenant = await createTenant();
    const sent = await moduleCall('sendEvent', tenant, { eventType: 'invoice.paid', data: { invoice_id: 'in_7', amount_cents: 4200, currency: 'EUR' } });
    assert.equal(sent.output.event_type, 'invoice.paid');
    const stored = (await call('GET', `/api/v1/events/${sent.output.id}`, tenant.key)).json;
    assert.deepEqual(stored.data, { invoice_id: 'in_7', amount_cents: 4200, currency: 'EUR' });
    await assert.rejects(moduleCall('sendEvent', tenant, { eventType: 'invoice.exploded', data: {} }),
      (e) => e.type === 'DataError' && e.statusCode === 422 && /^\[422\] .+ \(validation_failed\)$/.test(e.message));
  });

  it('Send a notification publishes notification.requested with only the fields given', async () => {
    const tenant = await createTenant();
    const full = await moduleCall('sendNotification', tenant, { title: 'Invoice overdue', message: 'ACME-2026-0042 is 14 days overdue.', link: 'https://app.example.com/i/1', topic: 'finance', recipientUserId: 'usr_7' });
    assert.equal(full.output.event_type, 'notification.requested');
    assert.deepEqual((await call('GET', `/api/v1/events/${full.output.id}`, tenant.key)).json.data,
      { title: 'Invoice overdue', message: 'ACME-2026-0042 is 14 days overdue.', link: 'https://app.example.com/i/1', topic: 'finance', recipient_user_id: 'usr_7', requested_by: 'make' });
    const bare = await moduleCall('sendNotification', tenant, { title: 'Deploy done', message: 'v2.3 is live.' });
    assert.deepEqual((await call('GET', `/api/v1/events/${bare.output.id}`, tenant.key)).json.data, { title: 'Deploy done', message: 'v2.3 is live.', requested_by: 'make' });
    await assert.rejects(moduleCall('sendNotification', tenant, { title: 'x'.repeat(151), message: 'm' }), (e) => e.type === 'DataError' && e.statusCode === 422);
  });
});
