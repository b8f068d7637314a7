'use strict';

// Runs the requests of integrations/make the way Make's documentation describes its runtime, with
// fetch against the running system: the base (baseUrl for URLs starting with "/", its headers and
// its error handling) merged into a module's request, temp before the request, type json or
// urlencoded, a status >= 400 turned into Make's error (the status's own entry of response.error, else
// response.error), response.temp / data / expires / metadata, iterate with its condition and the
// item variable, output, limit, pagination (its qs merged into the request while its condition holds,
// evaluated on the previous page), arrays of requests run in turn sharing temp, and a webhook's
// communication (condition, output) applied to a delivery. Make's own runtime cannot run offline.

const fs = require('fs');
const path = require('path');
const { expand } = require('./iml');

const APP = path.resolve(__dirname, '../../integrations/make');
const read = (relative) => JSON.parse(fs.readFileSync(path.join(APP, relative), 'utf8'));
const manifest = read('makecomapp.json');

/** The parsed code file of a component: code('module', 'findUser', 'communication'). */
const code = (type, id, codeType) => {
  const file = manifest.components[type][id].codeFiles[codeType];
  if (!file) throw new Error(`${type} ${id} has no ${codeType}`);
  return read(file);
};
const base = () => read(manifest.generalCodeFiles.base);

class MakeError extends Error {
  constructor(type, message, statusCode) {
    super(message);
    this.type = type;
    this.statusCode = statusCode;
  }
}

const removeUndefined = (object) => Object.fromEntries(Object.entries(object || {}).filter(([, v]) => v !== undefined));

async function send(request, sent) {
  const url = new URL(request.url);
  for (const [k, v] of Object.entries(removeUndefined(request.qs))) url.searchParams.set(k, v instanceof Date ? v.toISOString() : String(v));
  const headers = { ...request.headers };
  let body;
  if (request.body !== undefined && request.method !== 'GET') {
    if (request.type === 'urlencoded') {
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(removeUndefined(request.body)).toString();
    } else {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(request.body);
    }
  }
  sent.push({ method: request.method || 'GET', url: url.toString(), headers, body });
  const response = await fetch(url, { method: request.method || 'GET', headers, body, redirect: 'manual' });
  const raw = await response.text();
  let parsed = raw;
  try {
    parsed = raw ? JSON.parse(raw) : undefined;
  } catch {
    // automatic response type: a body that is not JSON stays text
  }
  return { statusCode: response.status, headers: Object.fromEntries(response.headers), body: parsed };
}

/** Applies response.error (the status's own entry first) when the status is 400 or more, or valid is false. */
function checkResponse(responseSpec, context) {
  const valid = responseSpec && responseSpec.valid !== undefined ? expand(responseSpec.valid, context) : true;
  if (context.statusCode < 400 && valid) return;
  const error = (responseSpec && responseSpec.error) || {};
  const chosen = typeof error === 'string' ? { message: error } : error[String(context.statusCode)] || error;
  throw new MakeError(expand(chosen.type || 'RuntimeError', context), expand(chosen.message || `Response status ${context.statusCode}`, context), context.statusCode);
}

/**
 * Runs one request spec (or an array of them) in the context's variables (connection, parameters,
 * webhook, temp, data, oauth …). With a base, relative URLs and headers come from it as in a module.
 * Returns {bundles, output, temp, data, expires, metadata, responses, sent}.
 */
async function run(spec, variables, { withBase = true } = {}) {
  const requests = Array.isArray(spec) ? spec : [spec];
  const baseSpec = withBase ? base() : {};
  const context = { temp: {}, ...variables };
  const result = { bundles: [], responses: [], sent: [] };
  for (const request of requests) {
    if (request.temp) context.temp = { ...context.temp, ...expand(request.temp, context) };
    if (request.condition !== undefined && !expand(request.condition, context)) continue;
    const responseSpec = { ...(baseSpec.response || {}), ...(request.response || {}) };
    const limit = responseSpec.limit !== undefined ? Number(expand(responseSpec.limit, context)) : Infinity;
    let pageSpec = request;
    let bundles = [];
    for (;;) {
      const resolved = expand({ ...pageSpec, response: undefined, pagination: undefined, temp: undefined }, context);
      const relative = resolved.url.startsWith('/');
      const baseUrl = relative ? expand(baseSpec.baseUrl, context) : '';
      const response = await send({
        ...resolved,
        url: baseUrl + resolved.url,
        headers: { ...(relative || withBase ? expand(baseSpec.headers || {}, context) : {}), ...resolved.headers },
      }, result.sent);
      result.responses.push(response);
      Object.assign(context, { statusCode: response.statusCode, body: response.body, headers: response.headers });
      checkResponse(responseSpec, context);
      if (responseSpec.temp) context.temp = { ...context.temp, ...expand(responseSpec.temp, context) };
      if (responseSpec.data) result.data = expand(responseSpec.data, context);
      if (responseSpec.expires) result.expires = expand(responseSpec.expires, context);
      if (responseSpec.metadata) result.metadata = expand(responseSpec.metadata, context);
      if (responseSpec.iterate) {
        const iterate = typeof responseSpec.iterate === 'string' ? { container: responseSpec.iterate } : responseSpec.iterate;
        for (const item of expand(iterate.container, context) || []) {
          const itemContext = { ...context, item };
          if (iterate.condition === undefined || expand(iterate.condition, itemContext)) {
            bundles.push(responseSpec.output === undefined ? item : expand(responseSpec.output, itemContext));
          }
        }
      } else if (responseSpec.output !== undefined) {
        bundles = [expand(responseSpec.output, context)];
      }
      const pagination = request.pagination;
      if (!pagination || bundles.length >= limit || !expand(pagination.condition ?? true, context)) break;
      const next = expand(removeUndefined({ url: pagination.url, method: pagination.method, qs: pagination.qs, headers: pagination.headers, body: pagination.body }), context);
      pageSpec = pagination.mergeWithParent === false ? next : { ...request, ...next, qs: { ...request.qs, ...next.qs }, headers: { ...request.headers, ...next.headers } };
    }
    if (bundles.length) result.bundles = bundles.slice(0, limit);
  }
  result.output = result.bundles[0];
  result.temp = context.temp;
  return result;
}

/** A delivery reaching a webhook: its communication's condition, then its output (one bundle, or none). */
function receive(webhookId, delivery) {
  const communication = code('webhook', webhookId, 'communication');
  const context = { body: JSON.parse(delivery.body), headers: delivery.headers };
  if (communication.condition !== undefined && !expand(communication.condition, context)) return [];
  return [communication.output === undefined ? context.body : expand(communication.output, context)];
}

module.exports = { APP, manifest, code, base, run, receive, MakeError };
