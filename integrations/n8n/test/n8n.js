'use strict';

// Runs workflows in a real n8n (tests/n8n/run.sh installs n8n 2.41.x with this package in its custom
// nodes directory and exports its settings): imports a credential and a workflow with the n8n CLI,
// executes it with `n8n execute --id`, and returns each node's output items. The credential file
// holds a tenant API key: it is written with mode 600 to a temporary directory and removed.

const { execFile, spawn } = require('child_process');
const crypto = require('crypto');
const fs = require('fs');
const net = require('net');
const os = require('os');
const path = require('path');
const { promisify } = require('util');

const { CookieJar } = require('./browser');

const run = promisify(execFile);

const n8n = (...args) => run('n8n', args, { env: process.env, maxBuffer: 64 * 1024 * 1024, timeout: 120000 });

let sequence = 0;
/** n8n ids are 16 characters of [0-9a-zA-Z]. */
const newId = (prefix) => `${prefix}${process.pid}${++sequence}`.padEnd(16, '0').slice(0, 16);

const importFile = async (kind, data) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-import-'));
  const file = path.join(dir, `${kind}.json`);
  try {
    fs.writeFileSync(file, JSON.stringify(data), { mode: 0o600 });
    await n8n(`import:${kind}`, `--input=${file}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
};

/** Imports a credential of the given type with the given data; answers its reference for nodes. */
const importCredential = async (type, data) => {
  const credential = { id: newId('cred'), name: `Integrations ${sequence}`, type, data };
  await importFile('credentials', [credential]);
  return { [type]: { id: credential.id, name: credential.name } };
};

/**
 * Imports and executes a workflow: a manual trigger "Start" followed by `chains`, each a list of
 * nodes ({name, parameters}) run one after the other. Answers {node name: output items' json}.
 */
const executeWorkflow = async (credentials, ...chains) => {
  const id = newId('wf');
  const nodes = [{ id: 'start', name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} }];
  const connections = { Start: { main: [[]] } };
  chains.forEach((chain, row) => chain.forEach((node, column) => {
    nodes.push({ id: `n${row}-${column}`, name: node.name, type: 'CUSTOM.integrations', typeVersion: 1, position: [200 * (column + 1), 200 * row], parameters: node.parameters, credentials });
    const from = column === 0 ? connections.Start.main[0] : (connections[chain[column - 1].name] = { main: [[]] }).main[0];
    from.push({ node: node.name, type: 'main', index: 0 });
  }));
  await importFile('workflow', [{ id, name: `Integrations ${id}`, active: false, settings: {}, nodes, connections }]);
  const { stdout } = await n8n('execute', `--id=${id}`, '--rawOutput');
  // n8n may log lines before and after the execution's JSON, which it prints indented: from a line
  // "{" to the next line "}".
  const json = /^\{$[\s\S]*?^\}$/m.exec(stdout);
  if (!json) throw new Error(`n8n execute printed no execution: ${stdout.slice(-2000)}`);
  const execution = JSON.parse(json[0]);
  const runData = execution.data.resultData.runData;
  return Object.fromEntries(Object.entries(runData).map(([name, runs]) => [name, runs[0].data.main[0].map((item) => item.json)]));
};

module.exports = { importCredential, executeWorkflow };

/** Imports a workflow of the trigger node alone, and publishes it: `n8n start` activates it. */
const importTriggerWorkflow = async (credentials, parameters) => {
  const id = newId('wf');
  const webhookId = crypto.randomUUID();
  const trigger = { id: 'trigger', name: 'Integrations Trigger', type: 'CUSTOM.integrationsTrigger', typeVersion: 1, position: [0, 0], webhookId, parameters, credentials };
  await importFile('workflow', [{ id, name: `Integrations trigger ${id}`, active: false, settings: {}, nodes: [trigger], connections: {} }]);
  await n8n('publish:workflow', `--id=${id}`);
  return { id, webhookPath: `/webhook/${webhookId}/webhook` };
};

const freePort = () => new Promise((resolve, reject) => {
  const server = net.createServer().listen(0, '127.0.0.1', () => {
    const { port } = server.address();
    server.close(() => resolve(port));
  }).on('error', reject);
});

/**
 * `n8n start` on a free port, ready when its readiness endpoint answers; `stop()` ends it. Its
 * internal REST API (what the editor calls) signs in as the owner it sets up on first start.
 */
const startN8n = async () => {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  // Its task broker gets a port of its own: `n8n execute` starts one on the default port meanwhile.
  const brokerPort = await freePort();
  const child = spawn('n8n', ['start'], {
    env: { ...process.env, N8N_PORT: String(port), N8N_LISTEN_ADDRESS: '127.0.0.1', WEBHOOK_URL: `${url}/`, N8N_SECURE_COOKIE: 'false', N8N_RUNNERS_BROKER_PORT: String(brokerPort) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => { output += d; });
  child.stderr.on('data', (d) => { output += d; });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  const stop = async () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
  };
  const cookies = new CookieJar();
  const rest = async (method, path, body) => {
    const response = await cookies.fetch(`${url}/rest${path}`, {
      method,
      headers: { 'browser-id': 'integrations-test', 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, text: await response.text() };
  };
  try {
    const until = Date.now() + 120000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`n8n start exited: ${output.slice(-2000)}`);
      const ready = await fetch(`${url}/healthz/readiness`).then((r) => r.ok, () => false);
      if (ready) break;
      if (Date.now() > until) throw new Error(`n8n did not get ready: ${output.slice(-2000)}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const owner = await rest('POST', '/owner/setup', { email: 'owner@example.com', firstName: 'Test', lastName: 'Owner', password: `Pw1-${crypto.randomUUID()}` });
    if (owner.status !== 200) throw new Error(`n8n owner setup: ${owner.status} ${owner.text}`);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, rest, cookies, stop };
};

module.exports.importTriggerWorkflow = importTriggerWorkflow;
module.exports.startN8n = startN8n;
