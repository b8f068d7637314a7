'use strict';

// The part of n8n's node execution contexts (n8n-workflow's IHookFunctions, IWebhookFunctions,
// ILoadOptionsFunctions) that the trigger node uses, so that its methods run against the real
// platform without an n8n process. httpRequestWithAuthentication does what n8n does for the
// integrationsApi credential: it applies the credential's own `authenticate` header (read from the
// built credential class, not restated here) and honours the request options the node passes.

const { IntegrationsApi } = require('../dist/credentials/IntegrationsApi.credentials');

const credentialType = new IntegrationsApi();

const authorization = (credentials) => {
  const template = credentialType.authenticate.properties.headers.Authorization; // '=Bearer {{$credentials.apiKey}}'
  return template.replace(/^=/, '').replace(/\{\{\$credentials\.(\w+)\}\}/g, (m, name) => credentials[name]);
};

const httpRequestWithAuthentication = (credentials, calls) => async function (type, options) {
  if (type !== credentialType.name) throw new Error(`unexpected credential type ${type}`);
  const url = new URL(options.url);
  for (const [name, value] of Object.entries(options.qs ?? {})) url.searchParams.set(name, String(value));
  calls.push(`${options.method} ${url.pathname}`);
  const response = await fetch(url, {
    method: options.method,
    headers: { Authorization: authorization(credentials), ...(options.body ? { 'Content-Type': 'application/json' } : {}) },
    body: options.body ? JSON.stringify(options.body) : undefined,
  });
  const text = await response.text();
  const body = text ? JSON.parse(text) : undefined;
  if (!options.ignoreHttpStatusErrors && response.status >= 400) throw new Error(`HTTP ${response.status}`);
  return options.returnFullResponse ? { statusCode: response.status, headers: {}, body } : body;
};

/** A context for webhookMethods, loadOptions and webhook(); `calls` records the platform calls. */
const nodeContext = ({ credentials, parameters, webhookUrl, staticData = {}, request }) => {
  const calls = [];
  const response = { statusCode: 200, sent: undefined };
  const context = {
    calls,
    staticData,
    response,
    getNode: () => ({ name: 'Integrations Trigger', type: 'CUSTOM.integrationsTrigger', typeVersion: 1, parameters }),
    getNodeParameter: (name, fallback) => (name in parameters ? parameters[name] : fallback),
    getCredentials: async (type) => {
      if (type !== credentialType.name) throw new Error(`unexpected credential type ${type}`);
      return credentials;
    },
    getWorkflowStaticData: (kind) => {
      if (kind !== 'node') throw new Error('the trigger keeps its state in the node static data');
      return staticData;
    },
    getNodeWebhookUrl: (name) => (name === 'default' ? webhookUrl : undefined),
    getRequestObject: () => ({ rawBody: request.rawBody, headers: request.headers, body: JSON.parse(request.rawBody) }),
    getHeaderData: () => request.headers,
    getBodyData: () => JSON.parse(request.rawBody),
    getResponseObject: () => ({
      status(code) { response.statusCode = code; return this; },
      json(body) { response.sent = body; return this; },
    }),
    helpers: {
      httpRequestWithAuthentication: httpRequestWithAuthentication(credentials, calls),
      returnJsonArray: (data) => (Array.isArray(data) ? data : [data]).map((json) => ({ json })),
    },
  };
  return context;
};

module.exports = { nodeContext };
