'use strict';

// The trigger node inside a real n8n (`n8n start`), against the running platform: activating the
// workflow subscribes a hook (webhookMethods checkExists and create), the platform's signed
// delivery starts an execution, a forged request is refused, and deactivating unsubscribes (delete).

const { describe, it } = require('node:test');
const assert = require('assert');
const { call, createTenant, publish, eventually } = require('./system');
const { importCredential, importTriggerWorkflow, startN8n } = require('./n8n');

describe('the Integrations Trigger node in n8n', () => {
  it('subscribes on activation, starts the workflow on a signed delivery only, unsubscribes on deactivation', async () => {
    const tenant = await createTenant();
    const credentials = await importCredential('integrationsApi', { baseUrl: tenant.credentials.baseUrl, apiKey: tenant.key });
    const workflow = await importTriggerWorkflow(credentials, { authentication: 'apiKey', trigger: 'entityStatusChanged' });
    const n8n = await startN8n();
    try {
      let hooks = [];
      await eventually(async () => (hooks = (await call('GET', '/api/v1/hooks', tenant.key)).json.data).length > 0, 'n8n subscribed a hook', 60000);
      assert.deepEqual(hooks.map((h) => [h.target_url, h.event_types, h.filter]),
        [[`${n8n.url}${workflow.webhookPath}`, ['entity.updated'], [{ path: 'data.changed_fields', op: 'contains', value: 'status' }]]]);
      const hook = hooks[0];

      const eventId = await publish(tenant, 'entity.updated', { entity_id: 'ent_1', changed_fields: ['status'], changes: { status: { from: 'a', to: 'b' } } });
      let delivery;
      await eventually(async () => ([delivery] = (await call('GET', `/api/v1/webhook-deliveries?endpoint_id=${hook.id}`, tenant.key)).json.data).length > 0
        && delivery.status !== 'pending', 'the platform delivered the event to n8n');
      assert.deepEqual([delivery.event_id, delivery.status, delivery.last_status_code], [eventId, 'succeeded', 200]);

      const forged = await fetch(`${n8n.url}${workflow.webhookPath}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'webhook-id': 'msg_forged', 'webhook-timestamp': String(Math.floor(Date.now() / 1000)), 'webhook-signature': 'v1,Zm9yZ2Vk' },
        body: JSON.stringify({ id: 'forged', event_type: 'entity.updated', data: {} }),
      });
      assert.equal(forged.status, 401, 'n8n answers the node\'s refusal');

      const executions = JSON.parse((await n8n.rest('GET', `/executions?filter=${encodeURIComponent(JSON.stringify({ workflowId: workflow.id }))}`)).text).data.results;
      assert.deepEqual(executions.map((e) => [e.mode, e.status]), [['webhook', 'success']], 'one execution: the signed delivery, not the forged request');
      const execution = await n8n.rest('GET', `/executions/${executions[0].id}`);
      assert.ok(execution.text.includes(eventId), 'the execution holds the delivered event');

      const deactivated = await n8n.rest('POST', `/workflows/${workflow.id}/deactivate`, {});
      assert.equal(deactivated.status, 200, deactivated.text);
      await eventually(async () => (await call('GET', `/api/v1/hooks/${hook.id}`, tenant.key)).status === 404, 'n8n unsubscribed the hook');
    } finally {
      await n8n.stop();
    }
  });
});
