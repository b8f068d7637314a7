'use strict';

// Runs workflows in a real n8n (tests/n8n/run.sh installs n8n 2.41.x with this package in its custom
// nodes directory and exports its settings): imports a credential and a workflow with the n8n CLI,
// executes it with `n8n execute --id`, and returns each node's output items. The credential file
// holds a tenant API key: it is written with mode 600 to a temporary directory and removed.

const { execFile } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { promisify } = require('util');

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
  // n8n logs a few lines before the JSON of the execution.
  const execution = JSON.parse(stdout.slice(stdout.search(/^\{/m)));
  const runData = execution.data.resultData.runData;
  return Object.fromEntries(Object.entries(runData).map(([name, runs]) => [name, runs[0].data.main[0].map((item) => item.json)]));
};

module.exports = { importCredential, executeWorkflow };
