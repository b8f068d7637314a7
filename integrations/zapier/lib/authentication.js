'use strict';

// API-key sign-in: the platform is self-hosted, so the connection names its base URL too. The
// test lists one hook, which any valid tenant key may do; OAuth 2.0 sign-in is not offered yet.

const { apiUrl } = require('./api');

module.exports = {
  type: 'custom',
  fields: [
    { key: 'base_url', label: 'Platform URL', required: true, type: 'string', helpText: 'Where your Integrations platform runs, e.g. https://integrations.example.com' },
    { key: 'api_key', label: 'API Key', required: true, type: 'password', helpText: 'A tenant API key (POST /api/v1/tenants/{id}/api-keys).' },
  ],
  test: async (z, bundle) => {
    const response = await z.request({ url: apiUrl(bundle, '/api/v1/hooks'), params: { limit: 1 } });
    return response.data;
  },
  connectionLabel: (z, bundle) => `Integrations at ${new URL(bundle.authData.base_url).host}`,
};
