'use strict';

// The running system the tests use (tests/zapier/run.sh starts it and exports API_URL and
// ADMIN_KEY): a tenant with an API key, plain API calls, and a local HTTP sink as the Zap's target.

const http = require('http');
const assert = require('assert');
const { before, after } = require('node:test');

const { API_URL, ADMIN_KEY } = process.env;
assert.ok(API_URL && ADMIN_KEY, 'API_URL and ADMIN_KEY must name the running system (tests/zapier/run.sh)');

const call = async (method, path, key, body) => {
  const response = await fetch(`${API_URL}${path}`, {
    method,
    headers: { Authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : undefined };
};

const createTenant = async () => {
  const tenant = await call('POST', '/api/v1/tenants', ADMIN_KEY, { name: `Zapier ${Date.now()}`, plan: 'pro' });
  assert.equal(tenant.status, 201, JSON.stringify(tenant.json));
  const key = await call('POST', `/api/v1/tenants/${tenant.json.id}/api-keys`, ADMIN_KEY);
  assert.equal(key.status, 201, JSON.stringify(key.json));
  return { id: tenant.json.id, key: key.json.key, authData: { base_url: API_URL, api_key: key.json.key } };
};

const publish = async (tenant, eventType, data) => {
  const accepted = await call('POST', '/api/v1/events', tenant.key, { event_type: eventType, data });
  assert.equal(accepted.status, 202, JSON.stringify(accepted.json));
  return accepted.json.id;
};

const eventually = async (condition, because, timeoutMs = 20000) => {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > until) assert.fail(`timed out: ${because}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
};

/**
 * The product's side of a create: waits for the tenant's first entity.create command in the command
 * log and answers it with its normal event naming the command (data.command_id), as the product
 * bridge asks products to. Resolves to the command.
 */
const answerAsProduct = async (tenant, entity, timeoutMs) => {
  let command;
  await eventually(async () => ([command] = (await call('GET', '/api/v1/product-commands?command=entity.create', tenant.key)).json.data).length > 0,
    'the command was sent', timeoutMs);
  await publish(tenant, 'entity.created', { ...entity, attributes: command.data.attributes, command_id: command.id });
  return command;
};

/** Records every request by path and answers 200, or the status set for the path. */
const startSink = async () => {
  const received = [];
  const statuses = new Map();
  const server = http.createServer((request, response) => {
    const chunks = [];
    request.on('data', (c) => chunks.push(c));
    request.on('end', () => {
      received.push({ path: request.url, headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      response.writeHead(statuses.get(request.url) ?? 200, { 'Content-Type': 'text/plain' });
      response.end('ok');
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  let n = 0;
  return {
    newUrl: () => `http://127.0.0.1:${server.address().port}/zap/${process.pid}-${++n}`,
    received: (url) => received.filter((r) => r.path === new URL(url).pathname),
    respond: (url, status) => statuses.set(new URL(url).pathname, status),
    close: () => new Promise((resolve) => server.close(resolve)),
  };
};

/** The sink of one describe block's tests: started before them, closed after them. */
const sinkForSuite = () => {
  let sink;
  before(async () => {
    sink = await startSink();
  });
  after(async () => {
    await sink.close();
  });
  return { newUrl: () => sink.newUrl(), received: (url) => sink.received(url), respond: (url, status) => sink.respond(url, status) };
};

/** A delivery as Zapier hands it to perform: headers with Zapier's "Http-" prefix, the raw body and the parsed one. */
const asZapierRequest = (delivery) => ({
  rawRequest: {
    method: 'POST',
    headers: Object.fromEntries(Object.entries(delivery.headers).map(([k, v]) => [`Http-${k.replace(/(^|-)(\w)/g, (m, dash, c) => dash + c.toUpperCase())}`, v])),
    content: delivery.body,
  },
  cleanedRequest: JSON.parse(delivery.body),
});

module.exports = { API_URL, call, createTenant, publish, eventually, answerAsProduct, startSink, sinkForSuite, asZapierRequest };
