'use strict';

// The running system (tests/n8n/run.sh starts it and exports API_URL and ADMIN_KEY), through the
// same helpers as the Zapier app's tests: a tenant with an API key, plain API calls, events, and a
// local HTTP sink standing in for n8n's webhook URL. Here a tenant also carries the n8n credential.

const zapier = require('../../zapier/test/system');

const createTenant = async () => {
  const tenant = await zapier.createTenant();
  return { ...tenant, credentials: { baseUrl: `${zapier.API_URL}/`, apiKey: tenant.key } };
};

/** A delivery the sink received, as n8n hands it to webhook(): headers and the raw body. */
const asN8nRequest = (delivery) => ({ headers: delivery.headers, rawBody: Buffer.from(delivery.body, 'utf8') });

module.exports = { ...zapier, createTenant, asN8nRequest };
