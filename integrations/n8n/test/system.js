'use strict';

// The running system the tests use (tests/n8n/run.sh starts it and exports API_URL and ADMIN_KEY):
// a tenant with an API key, plain API calls, and a local HTTP sink standing in for n8n's webhook URL.

const http = require('http');
const assert = require('assert');

const { API_URL, ADMIN_KEY } = process.env;
assert.ok(API_URL && ADMIN_KEY, 'API_URL and ADMIN_KEY must name the running system (tests/n8n/run.sh)');

const call = async (method, path, key, body) => {
  const response = await fetch(`${API_URL}${path}`, {
    method,
    headers: { Authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : undefined };
};

const createTenant = async (name = 'n8n') => {
  const tenant = await call('POST', '/api/v1/tenants', ADMIN_KEY, { name: `${name} ${Date.now()}`, plan: 'pro' });
  assert.equal(tenant.status, 201, JSON.stringify(tenant.json));
  const key = await call('POST', `/api/v1/tenants/${tenant.json.id}/api-keys`, ADMIN_KEY);
  assert.equal(key.status, 201, JSON.stringify(key.json));
  return { id: tenant.json.id, key: key.json.key, credentials: { baseUrl: `${API_URL}/`, apiKey: key.json.key } };
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

/** Records every request by path (raw body kept) and answers 200. */
const startSink = async () => {
  const received = [];
  const server = http.createServer((request, response) => {
    const chunks = [];
    request.on('data', (c) => chunks.push(c));
    request.on('end', () => {
      received.push({ path: request.url, headers: request.headers, rawBody: Buffer.concat(chunks) });
      response.writeHead(200, { 'Content-Type': 'text/plain' });
      response.end('ok');
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  let n = 0;
  return {
    newUrl: () => `http://127.0.0.1:${server.address().port}/webhook/${process.pid}-${++n}/webhook`,
    received: (url) => received.filter((r) => r.path === new URL(url).pathname),
    close: () => new Promise((resolve) => server.close(resolve)),
  };
};

module.exports = { API_URL, call, createTenant, publish, eventually, startSink };
