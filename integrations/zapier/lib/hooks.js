'use strict';

// REST-hook triggers on the platform's /api/v1/hooks (docs/no-code.md): subscribe when a Zap is
// turned on, unsubscribe when it is turned off, verify each delivery's signature with the secret
// the subscription returned, and sample the tenant's latest events (or the catalog's) for the editor.

const { apiUrl } = require('./api');
const { verify } = require('./signature');

const subscribe = (eventTypes, filter) => async (z, bundle) => {
  const response = await z.request({
    method: 'POST',
    url: apiUrl(bundle, '/api/v1/hooks'),
    body: { target_url: bundle.targetUrl, event_types: eventTypes(bundle), ...(filter ? { filter } : {}) },
  });
  return response.data;
};

// A hook whose target answered 410 is already deleted by the platform: 404 is a done unsubscribe.
const unsubscribe = async (z, bundle) => {
  const response = await z.request({
    method: 'DELETE',
    url: apiUrl(bundle, `/api/v1/hooks/${encodeURIComponent(bundle.subscribeData.id)}`),
    skipThrowForStatus: true,
  });
  if (response.status !== 204 && response.status !== 404) response.throwForStatus();
  return {};
};

const receive = (z, bundle) => {
  const secret = bundle.subscribeData && bundle.subscribeData.secret;
  if (secret) {
    const raw = bundle.rawRequest || {};
    const problem = verify(secret, raw.headers, raw.content);
    if (problem) throw new z.errors.Error(`The delivery's signature does not verify: ${problem}.`, 'InvalidSignature', 401);
  }
  return [bundle.cleanedRequest];
};

const samples = (eventTypes) => async (z, bundle) => {
  const response = await z.request({
    url: apiUrl(bundle, '/api/v1/hooks/samples'),
    params: { event_type: eventTypes(bundle)[0] },
  });
  return response.data;
};

const eventFields = [
  { key: 'id', label: 'Event ID' },
  { key: 'event_type', label: 'Event Type' },
  { key: 'timestamp', label: 'Occurred At', type: 'datetime' },
];

/** A trigger for events of fixed types (or of the type the user picks), optionally filtered. */
const restHookTrigger = ({ key, noun, label, description, eventTypes, filter, inputFields = [], sample }) => ({
  key,
  noun,
  display: { label, description },
  operation: {
    type: 'hook',
    inputFields,
    performSubscribe: subscribe(eventTypes, filter),
    performUnsubscribe: unsubscribe,
    perform: receive,
    performList: samples(eventTypes),
    sample,
    outputFields: eventFields,
  },
});

module.exports = { restHookTrigger };
