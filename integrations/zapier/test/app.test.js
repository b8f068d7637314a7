'use strict';

// The Zapier app against the running system, through zapier-platform-core's createAppTester.

const { describe, it } = require('node:test');
const assert = require('assert');
const zapier = require('zapier-platform-core');
const App = require('../index');
const { buildApp } = require('../lib/app');
const { oauth2 } = require('../lib/authentication');
const { API_URL, call, createTenant, publish, eventually, answerAsProduct, sinkForSuite, asZapierRequest } = require('./system');

const appTester = zapier.createAppTester(App);
const triggers = App.triggers;

describe('the Zapier app', () => {
  const sink = sinkForSuite();

  it('passes the app definition checks of zapier validate (offline, without style checks) with either sign-in, and a broken one does not', async () => {
    const validate = (app) => new Promise((resolve, reject) =>
      zapier.createAppHandler(app)({ command: 'validate' }, {}, (error, result) => (error ? reject(error) : resolve(result.results))));
    assert.deepEqual(await validate(App), []);
    assert.deepEqual(await validate(buildApp(oauth2)), [], 'the OAuth 2.0 flavour too');
    const broken = { ...App, triggers: { ...triggers, user_joined: { ...triggers.user_joined, noun: undefined } } };
    assert.ok((await validate(broken)).length > 0, 'a trigger without a noun is refused');
  });

  it('signs in with the base URL and an API key, and refuses another key', async () => {
    const tenant = await createTenant();
    await appTester(App.authentication.test, { authData: tenant.authData });
    const label = await appTester(App.authentication.connectionLabel, { authData: tenant.authData });
    assert.equal(label, `Integrations at ${new URL(API_URL).host}`);
    await assert.rejects(appTester(App.authentication.test, { authData: { ...tenant.authData, api_key: `${tenant.key}x` } }), /refused the API key/);
  });

  it('Entity Status Changed subscribes a filtered hook, receives and verifies only status changes, and unsubscribes', async () => {
    const tenant = await createTenant();
    const statusUrl = sink.newUrl();
    const updatesUrl = sink.newUrl();
    const hook = await appTester(triggers.entity_status_changed.operation.performSubscribe, { authData: tenant.authData, targetUrl: statusUrl });
    const everyUpdate = await appTester(triggers.entity_updated.operation.performSubscribe, { authData: tenant.authData, targetUrl: updatesUrl });
    assert.match(hook.secret, /^whsec_/);
    const stored = await call('GET', `/api/v1/hooks/${hook.id}`, tenant.key);
    assert.deepEqual([stored.json.event_types, stored.json.filter], [['entity.updated'], [{ path: 'data.changed_fields', op: 'contains', value: 'status' }]]);

    await publish(tenant, 'entity.updated', { entity_id: 'ent_1', changed_fields: ['name'] });
    const statusChanged = await publish(tenant, 'entity.updated', { entity_id: 'ent_1', changed_fields: ['status'], changes: { status: { from: 'a', to: 'b' } } });
    await eventually(() => sink.received(updatesUrl).length === 2 && sink.received(statusUrl).length >= 1, 'both updates were delivered');
    assert.equal(sink.received(statusUrl).length, 1, 'only the status change reaches the status trigger');

    const delivery = sink.received(statusUrl)[0];
    const results = await appTester(triggers.entity_status_changed.operation.perform, { authData: tenant.authData, subscribeData: hook, ...asZapierRequest(delivery) });
    assert.equal(results.length, 1);
    assert.equal(results[0].id, statusChanged);
    assert.deepEqual(results[0].data.changed_fields, ['status']);
    const forged = asZapierRequest({ ...delivery, body: delivery.body.replace('"b"', '"c"') });
    await assert.rejects(appTester(triggers.entity_status_changed.operation.perform, { authData: tenant.authData, subscribeData: hook, ...forged }), /signature does not verify/);
    await assert.rejects(appTester(triggers.entity_status_changed.operation.perform, { authData: tenant.authData, subscribeData: everyUpdate, ...asZapierRequest(delivery) }),
      /signature does not verify/, "another hook's secret does not verify it");

    await appTester(triggers.entity_status_changed.operation.performUnsubscribe, { authData: tenant.authData, subscribeData: hook });
    assert.equal((await call('GET', `/api/v1/hooks/${hook.id}`, tenant.key)).status, 404);
    await appTester(triggers.entity_updated.operation.performUnsubscribe, { authData: tenant.authData, subscribeData: everyUpdate });
  });

  it("samples the catalog's event until the tenant has real ones, then its latest first", async () => {
    const tenant = await createTenant();
    const list = triggers.user_joined.operation.performList;
    const [catalogSample] = await appTester(list, { authData: tenant.authData });
    assert.equal(catalogSample.event_type, 'user.joined');
    assert.equal((await appTester(list, { authData: tenant.authData }))[0].id, catalogSample.id, 'a stable id');

    const older = await publish(tenant, 'user.joined', { user_id: 'usr_1' });
    const newer = await publish(tenant, 'user.joined', { user_id: 'usr_2' });
    let samples = [];
    await eventually(async () => (samples = await appTester(list, { authData: tenant.authData })).length === 2, 'the two events are the samples');
    assert.deepEqual(samples.map((s) => s.id), [newer, older]);
  });

  it('New Event subscribes to the type picked from the catalog dropdown', async () => {
    const tenant = await createTenant();
    const types = await appTester(triggers.event_type_list.operation.perform, { authData: tenant.authData });
    assert.ok(types.some((t) => t.id === 'invoice.failed' && t.name === 'invoice.failed'));

    const hook = await appTester(triggers.event.operation.performSubscribe, { authData: tenant.authData, targetUrl: sink.newUrl(), inputData: { event_type: 'invoice.failed' } });
    assert.deepEqual((await call('GET', `/api/v1/hooks/${hook.id}`, tenant.key)).json.event_types, ['invoice.failed']);
    await assert.rejects(
      appTester(triggers.event.operation.performSubscribe, { authData: tenant.authData, targetUrl: sink.newUrl(), inputData: { event_type: 'invoice.exploded' } }),
      /invalid fields/, "the platform's validation message is shown");
  });

  it('a hook whose target answered 410 is gone, and unsubscribing it still succeeds', async () => {
    const tenant = await createTenant();
    const url = sink.newUrl();
    sink.respond(url, 410);
    const hook = await appTester(triggers.user_joined.operation.performSubscribe, { authData: tenant.authData, targetUrl: url });
    await publish(tenant, 'user.joined', { user_id: 'usr_9' });
    await eventually(async () => (await call('GET', `/api/v1/hooks/${hook.id}`, tenant.key)).status === 404, 'the platform deleted the hook');
    await appTester(triggers.user_joined.operation.performUnsubscribe, { authData: tenant.authData, subscribeData: hook });
  });

  it('Create Entity sends entity.create to the product, returns its answering event, and Find Entity finds the record by id and by attribute', async () => {
    const tenant = await createTenant();
    const product = answerAsProduct(tenant, { entity_id: 'P-1', entity_type: 'project' });
    const created = await appTester(App.creates.create_entity.operation.perform,
      { authData: tenant.authData, inputData: { entity_type: 'project', attributes: { name: 'Relaunch', status: 'active' } } });
    const command = await product;
    assert.deepEqual(command.data.attributes, { name: 'Relaunch', status: 'active' });
    assert.deepEqual([created.status, created.command_id, created.event_type, created.entity_id], ['answered', command.id, 'entity.created', 'P-1']);

    let found = [];
    await eventually(async () => (found = await appTester(App.searches.find_entity.operation.perform,
      { authData: tenant.authData, inputData: { entity_type: 'project', entity_id: 'P-1' } })).length === 1, 'the entity read model has it');
    assert.deepEqual([found[0].entity_id, found[0].attributes.name], ['P-1', 'Relaunch']);
    assert.deepEqual(await appTester(App.searches.find_entity.operation.perform, { authData: tenant.authData, inputData: { entity_type: 'project', entity_id: 'P-404' } }), []);
    const byName = await appTester(App.searches.find_entity.operation.perform, { authData: tenant.authData, inputData: { entity_type: 'project', attributes: { name: 'Relaunch' } } });
    assert.deepEqual(byName.map((e) => e.entity_id), ['P-1'], 'found by attribute');
    assert.deepEqual(await appTester(App.searches.find_entity.operation.perform, { authData: tenant.authData, inputData: { entity_type: 'project', attributes: { name: 'relaunch' } } }), []);
    await assert.rejects(appTester(App.searches.find_entity.operation.perform, { authData: tenant.authData, inputData: { entity_type: 'project' } }), /Entity ID or at least one attribute/);
  });

  it('Update Entity returns the command as pending when the product does not answer within the wait', async () => {
    const tenant = await createTenant();
    const started = Date.now();
    const updated = await appTester(App.creates.update_entity.operation.perform,
      { authData: tenant.authData, inputData: { entity_type: 'task', entity_id: 'T-9', attributes: { status: 'done' } } });
    assert.equal(updated.status, 'pending');
    assert.ok(Date.now() - started >= 9000, 'it waited for the answer');
    const command = (await call('GET', `/api/v1/product-commands/${updated.command_id}`, tenant.key)).json;
    assert.deepEqual([command.command, command.target.type, command.target.id, command.data.attributes.status], ['entity.update', 'task', 'T-9', 'done']);
  });

  it('Send Notification publishes notification.requested, which a hook filtered on its topic receives, and the platform refuses a title too long', async () => {
    const tenant = await createTenant();
    const finance = sink.newUrl();
    const hook = (await call('POST', '/api/v1/hooks', tenant.key, {
      target_url: finance, event_types: ['notification.requested'], filter: [{ path: 'data.topic', op: 'eq', value: 'finance' }],
    })).json;
    const sent = await appTester(App.creates.send_notification.operation.perform, {
      authData: tenant.authData, inputData: { title: 'Invoice overdue', message: 'ACME-2026-0042 is 14 days overdue.', link: 'https://app.example.com/i/1', topic: 'finance' },
    });
    await appTester(App.creates.send_notification.operation.perform, { authData: tenant.authData, inputData: { title: 'Deploy done', message: 'v2.3 is live.', topic: 'ops' } });
    await eventually(() => sink.received(finance).length >= 1, 'the finance hook received the notification');
    const delivered = JSON.parse(sink.received(finance)[0].body);
    assert.deepEqual([delivered.id, delivered.event_type, delivered.data.title, delivered.data.link, delivered.data.requested_by],
      [sent.id, 'notification.requested', 'Invoice overdue', 'https://app.example.com/i/1', 'zapier']);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    assert.equal(sink.received(finance).length, 1, 'the ops notification is not the finance route\'s');
    await assert.rejects(appTester(App.creates.send_notification.operation.perform, { authData: tenant.authData, inputData: { title: 'x'.repeat(151), message: 'm' } }),
      /data\.title/);
    await call('DELETE', `/api/v1/hooks/${hook.id}`, tenant.key);
  });

  it('Add User invites by e-mail without exposing the invitation token, and Find User finds them ignoring case', async () => {
    const tenant = await createTenant();
    const email = `ana.${Date.now()}@example.com`;
    const member = await appTester(App.creates.add_user.operation.perform, { authData: tenant.authData, inputData: { email, role: 'member' } });
    assert.deepEqual([member.email, member.status], [email, 'invited']);
    assert.ok(!JSON.stringify(member).includes('invitation_token'));

    const found = await appTester(App.searches.find_user.operation.perform, { authData: tenant.authData, inputData: { email: email.toUpperCase() } });
    assert.deepEqual(found.map((m) => m.id), [member.id]);
    assert.deepEqual(await appTester(App.searches.find_user.operation.perform, { authData: tenant.authData, inputData: { email: 'nobody@example.com' } }), []);
  });
});
