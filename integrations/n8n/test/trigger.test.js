'use strict';

// The trigger node's methods against the running platform, with the n8n context of ./context.js:
// webhookMethods subscribe, find and unsubscribe real hooks; webhook() verifies real deliveries.

const { describe, it, before, after } = require('node:test');
const assert = require('assert');
const { IntegrationsTrigger } = require('../dist/nodes/IntegrationsTrigger/IntegrationsTrigger.node');
const { call, createTenant, publish, eventually, startSink, asN8nRequest } = require('./system');
const { nodeContext } = require('./context');

const node = new IntegrationsTrigger();
const hooks = node.webhookMethods.default;

describe('the Integrations Trigger node', () => {
  let sink;
  before(async () => {
    sink = await startSink();
  });
  after(async () => {
    await sink.close();
  });

  it('lists the catalog event types for the event type dropdown', async () => {
    const tenant = await createTenant();
    const context = nodeContext({ credentials: tenant.credentials, parameters: { authentication: 'apiKey' } });
    const options = await node.methods.loadOptions.getEventTypes.call(context);
    const catalog = (await call('GET', '/api/v1/event-types?limit=100', tenant.key)).json.data.map((t) => t.name);
    assert.deepEqual(options.map((o) => o.value), catalog);
    assert.ok(catalog.includes('invoice.paid'));
  });

  it('Entity Status Changed: checkExists, create, checkExists, deliveries verified, delete', async () => {
    const tenant = await createTenant();
    const webhookUrl = sink.newUrl();
    const context = nodeContext({ credentials: tenant.credentials, parameters: { authentication: 'apiKey', trigger: 'entityStatusChanged' }, webhookUrl });

    assert.equal(await hooks.checkExists.call(context), false, 'no hook before activation');
    assert.equal(await hooks.create.call(context), true);
    const { hookId, secret } = context.staticData;
    assert.match(secret, /^whsec_/);
    const stored = await call('GET', `/api/v1/hooks/${hookId}`, tenant.key);
    assert.deepEqual([stored.json.target_url, stored.json.event_types, stored.json.filter],
      [webhookUrl, ['entity.updated'], [{ path: 'data.changed_fields', op: 'contains', value: 'status' }]]);
    assert.equal(await hooks.checkExists.call(context), true, 'the hook is found again after creation');

    await publish(tenant, 'entity.updated', { entity_id: 'ent_1', changed_fields: ['name'] });
    const statusChanged = await publish(tenant, 'entity.updated', { entity_id: 'ent_1', changed_fields: ['status'], changes: { status: { from: 'a', to: 'b' } } });
    await eventually(() => sink.received(webhookUrl).length >= 1, 'the status change was delivered');
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(sink.received(webhookUrl).length, 1, 'the name change is filtered out');

    const delivery = asN8nRequest(sink.received(webhookUrl)[0]);
    const received = nodeContext({ credentials: tenant.credentials, parameters: {}, staticData: context.staticData, request: delivery });
    const started = await node.webhook.call(received);
    assert.equal(started.workflowData[0].length, 1);
    assert.equal(started.workflowData[0][0].json.id, statusChanged);
    assert.deepEqual(started.workflowData[0][0].json.data.changed_fields, ['status']);

    const forged = { ...delivery, rawBody: Buffer.from(delivery.rawBody.toString().replace('"b"', '"c"')) };
    const refused = nodeContext({ credentials: tenant.credentials, parameters: {}, staticData: context.staticData, request: forged });
    const answer = await node.webhook.call(refused);
    assert.deepEqual([answer.noWebhookResponse, answer.workflowData, refused.response.statusCode], [true, undefined, 401]);
    assert.equal(refused.response.sent.error.code, 'invalid_signature');

    assert.equal(await hooks.delete.call(context), true);
    assert.deepEqual(context.staticData, {});
    assert.equal((await call('GET', `/api/v1/hooks/${hookId}`, tenant.key)).status, 404);
    assert.deepEqual(context.calls, [
      `POST /api/v1/hooks`, `GET /api/v1/hooks/${hookId}`, `DELETE /api/v1/hooks/${hookId}`,
    ]);
  });

  it('subscribes each trigger to its event types; a hook deleted elsewhere is neither found nor a failed delete', async () => {
    const tenant = await createTenant();
    const expected = {
      entityCreated: ['entity.created'], entityUpdated: ['entity.updated'], userJoined: ['user.joined'], anyEvent: ['invoice.paid'],
    };
    for (const [trigger, eventTypes] of Object.entries(expected)) {
      const context = nodeContext({ credentials: tenant.credentials, parameters: { authentication: 'apiKey', trigger, eventType: 'invoice.paid' }, webhookUrl: sink.newUrl() });
      assert.equal(await hooks.create.call(context), true);
      const stored = (await call('GET', `/api/v1/hooks/${context.staticData.hookId}`, tenant.key)).json;
      assert.deepEqual([trigger, stored.event_types, stored.filter], [trigger, eventTypes, []]);
      assert.equal((await call('DELETE', `/api/v1/hooks/${stored.id}`, tenant.key)).status, 204);
      assert.equal(await hooks.checkExists.call(context), false, `${trigger}: a deleted hook is not found`);
      assert.deepEqual(context.staticData, {}, 'and its id and secret are forgotten');
      context.staticData.hookId = stored.id;
      assert.equal(await hooks.delete.call(context), true, `${trigger}: deleting a hook that is gone succeeds`);
    }
  });

  it('a hook that points elsewhere is not ours, and a wrong key fails the subscription with the platform\'s error', async () => {
    const tenant = await createTenant();
    const context = nodeContext({ credentials: tenant.credentials, parameters: { authentication: 'apiKey', trigger: 'userJoined' }, webhookUrl: sink.newUrl() });
    await hooks.create.call(context);
    const moved = nodeContext({ credentials: tenant.credentials, parameters: { authentication: 'apiKey', trigger: 'userJoined' }, webhookUrl: sink.newUrl(), staticData: context.staticData });
    assert.equal(await hooks.checkExists.call(moved), false);
    await hooks.delete.call(context);

    const wrong = nodeContext({ credentials: { ...tenant.credentials, apiKey: `${tenant.key}x` }, parameters: { authentication: 'apiKey', trigger: 'userJoined' }, webhookUrl: sink.newUrl() });
    await assert.rejects(hooks.create.call(wrong), (error) => error.httpCode === '401');
  });
});
