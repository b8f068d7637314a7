'use strict';

// The nodes inside a running n8n (`n8n start`), against the running platform. The trigger:
// activating the workflow subscribes a hook (webhookMethods checkExists and create), the platform's
// signed delivery starts an execution, a forged request is refused, and deactivating unsubscribes
// (delete). The OAuth2 credential: n8n's own OAuth flow signs in on the platform (code with PKCE),
// and a workflow's steps call the platform with the token n8n got.

const { describe, it, before, after } = require('node:test');
const assert = require('assert');
const { API_URL, call, createTenant, publish, eventually } = require('./system');
const { importCredential, importTriggerWorkflow, startN8n, executeWorkflow } = require('./n8n');
const { signInAndAllow } = require('./browser');

describe('the Integrations nodes in n8n start', () => {
  let tenant;
  let workflow;
  let n8n;
  before(async () => {
    // n8n activates the published workflows when it starts.
    tenant = await createTenant();
    const credentials = await importCredential('integrationsApi', { baseUrl: tenant.credentials.baseUrl, apiKey: tenant.key });
    workflow = await importTriggerWorkflow(credentials, { authentication: 'apiKey', trigger: 'entityStatusChanged' });
    n8n = await startN8n();
  });
  after(async () => {
    await n8n?.stop();
  });

  it('the trigger subscribes on activation, starts the workflow on a signed delivery only, unsubscribes on deactivation', async () => {
    {
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
    }
  });

  it('the OAuth2 credential signs in through n8n\'s OAuth flow with PKCE, and the action node calls the platform with its token', async () => {
    const owner = await createTenant();
    const email = `ana-${Date.now()}@example.com`;
    const password = 'correct horse battery staple';
    const invited = await call('POST', '/api/v1/members', owner.key, { email, role: 'admin' });
    const accepted = await fetch(`${API_URL}/api/v1/members/accept`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ invitation_token: invited.json.invitation_token, password }),
    });
    assert.ok(accepted.ok, `accept: ${accepted.status}`);
    const { IntegrationsOAuth2Api } = require('../dist/credentials/IntegrationsOAuth2Api.credentials');
    const scopes = new IntegrationsOAuth2Api().properties.find((p) => p.name === 'scope').default.split(' ');
    const registered = await call('POST', '/api/v1/apps', owner.key, {
      name: 'n8n', description: 'n8n workflows', client_type: 'public', scopes,
      redirect_uris: [`${n8n.url}/rest/oauth2-credential/callback`],
    });
    assert.equal(registered.status, 201, JSON.stringify(registered.json));

    const credentials = await importCredential('integrationsOAuth2Api', { baseUrl: owner.credentials.baseUrl, clientId: registered.json.app.client_id, clientSecret: '' });
    const auth = await n8n.rest('GET', `/oauth2-credential/auth?id=${credentials.integrationsOAuth2Api.id}`);
    assert.equal(auth.status, 200, auth.text);
    const authorizeUrl = new URL(JSON.parse(auth.text).data);
    assert.deepEqual([authorizeUrl.origin + authorizeUrl.pathname, authorizeUrl.searchParams.get('code_challenge_method'), authorizeUrl.searchParams.get('scope')],
      [`${new URL(owner.credentials.baseUrl).origin}/oauth/authorize`, 'S256', scopes.join(' ')]);

    const callback = await signInAndAllow(authorizeUrl, { organisation: owner.id, email, password });
    assert.ok(callback.startsWith(`${n8n.url}/rest/oauth2-credential/callback?`), callback);
    const redeemed = await n8n.cookies.fetch(callback);
    assert.equal(redeemed.status, 200, await redeemed.text());

    const viaOAuth = (name, parameters) => ({ name, parameters: { authentication: 'oAuth2', ...parameters } });
    const output = await executeWorkflow(credentials, [
      viaOAuth('Send event', { resource: 'event', operation: 'send', eventType: 'invoice.paid', data: '{"invoice_id":"in_2","amount_cents":100,"currency":"EUR"}' }),
      viaOAuth('Find user', { resource: 'user', operation: 'find', email }),
    ]);
    const stored = await call('GET', `/api/v1/events/${output['Send event'][0].id}`, owner.key);
    assert.deepEqual([stored.status, stored.json.data.invoice_id], [200, 'in_2']);
    assert.deepEqual(output['Find user'].map((m) => m.email), [email]);
  });
});
