'use strict';

// The action node inside a real n8n, against the running platform: a workflow sends an event and a
// notification, invites a user and finds them, creates an entity (the test plays the product
// answering the command), gets and searches entities; n8n's own credential handling signs in.

const { describe, it } = require('node:test');
const assert = require('assert');
const { call, createTenant, publish, eventually, answerAsProduct } = require('./system');
const { importCredential, executeWorkflow } = require('./n8n');

const node = (name, parameters) => ({ name, parameters: { authentication: 'apiKey', ...parameters } });

describe('the Integrations node in n8n', () => {
  it('runs a workflow of every action and search against the platform', async () => {
    const tenant = await createTenant();
    // A record the product already has: the read model holds it before the workflow runs.
    await publish(tenant, 'entity.created', { entity_id: 'P-7', entity_type: 'project', status: 'active', attributes: { name: 'Website relaunch' } });
    await eventually(async () => (await call('GET', '/api/v1/entities/project/P-7', tenant.key)).status === 200, 'the read model has P-7');

    const product = answerAsProduct(tenant, { entity_id: 'P-8', entity_type: 'task' }, 60000);

    const credentials = await importCredential('integrationsApi', { baseUrl: tenant.credentials.baseUrl, apiKey: tenant.key });
    const output = await executeWorkflow(credentials,
      [
        node('Send event', { resource: 'event', operation: 'send', eventType: 'invoice.paid', data: '{"invoice_id":"in_1","amount_cents":4200,"currency":"EUR"}', idempotencyKey: `n8n-${tenant.id}` }),
        node('Add user', { resource: 'user', operation: 'add', email: 'ana@example.com', role: 'admin' }),
        node('Find user', { resource: 'user', operation: 'find', email: 'ANA@example.com' }),
        node('Create entity', { resource: 'entity', operation: 'create', entityType: 'task', attributes: '{"name":"Call Ana","status":"open"}' }),
        node('Get entity', { resource: 'entity', operation: 'get', entityType: 'project', entityId: 'P-7' }),
        node('Send notification', { resource: 'notification', operation: 'send', title: 'Invoice overdue', message: 'ACME-2026-0042 is 14 days overdue.', topic: 'finance' }),
        node('Get missing entity', { resource: 'entity', operation: 'get', entityType: 'project', entityId: 'P-404' }),
      ],
      [node('Search entities', { resource: 'entity', operation: 'search', filters: { entityType: 'project', status: 'active' }, limit: 10 })],
      [node('Search by attribute', { resource: 'entity', operation: 'search', filters: { entityType: 'project', attributes: '{"name":"Website relaunch"}' } })],
      [node('Search by other attribute', { resource: 'entity', operation: 'search', filters: { entityType: 'project', attributes: '{"name":"Other"}' } })]);

    const [sent] = output['Send event'];
    const stored = await call('GET', `/api/v1/events/${sent.id}`, tenant.key);
    assert.equal(stored.status, 200);
    assert.deepEqual([stored.json.event_type, stored.json.data], ['invoice.paid', { invoice_id: 'in_1', amount_cents: 4200, currency: 'EUR' }]);

    const [added] = output['Add user'];
    assert.deepEqual([added.email, added.role, added.status], ['ana@example.com', 'admin', 'invited']);
    assert.ok(!JSON.stringify(added).includes('token'), 'the invitation token stays out of the workflow data');
    assert.deepEqual(output['Find user'].map((m) => [m.id, m.email]), [[added.id, 'ana@example.com']]);

    const command = await product;
    const [created] = output['Create entity'];
    assert.deepEqual(command.data.attributes, { name: 'Call Ana', status: 'open' });
    assert.deepEqual([created.status, created.command_id, created.event_type, created.entity_id], ['answered', command.id, 'entity.created', 'P-8']);

    assert.deepEqual(output['Get entity'].map((e) => [e.entity_type, e.entity_id, e.attributes.name]), [['project', 'P-7', 'Website relaunch']]);
    assert.deepEqual(output['Get missing entity'], [], 'a missing record is no item, not an error');
    assert.deepEqual(output['Search entities'].map((e) => e.entity_id), ['P-7']);
    assert.deepEqual(output['Search by attribute'].map((e) => e.entity_id), ['P-7']);
    assert.deepEqual(output['Search by other attribute'], []);

    const [notified] = output['Send notification'];
    assert.deepEqual((await call('GET', `/api/v1/events/${notified.id}`, tenant.key)).json.data,
      { title: 'Invoice overdue', message: 'ACME-2026-0042 is 14 days overdue.', topic: 'finance', requested_by: 'n8n' }, 'the empty optional fields are not sent');
  });

  it('a refused key fails the execution with the platform\'s error', async () => {
    const tenant = await createTenant();
    const credentials = await importCredential('integrationsApi', { baseUrl: tenant.credentials.baseUrl, apiKey: `${tenant.key}x` });
    await assert.rejects(executeWorkflow(credentials, [node('Find user', { resource: 'user', operation: 'find', email: 'ana@example.com' })]),
      (error) => error.code !== 0 && /401|Authorization failed|unauthorized/i.test(`${error.stdout}${error.stderr}`));
  });
});
