'use strict';

// Sign-in: the platform is self-hosted, so every connection names its base URL. Two flavours:
// - apiKey: a tenant API key (the default; works with any platform, so it suits a public listing).
// - oauth2: a member's consent on the platform's own authorization server (authorization code with
//   PKCE S256, refresh tokens that rotate; docs/oauth.md). It needs the app registered on that
//   platform (CLIENT_ID, CLIENT_SECRET as Zapier environment variables), so it suits a private
//   Zapier app per platform. package.json's config.auth picks the flavour the app is built with.
// Either test lists one hook, which any valid key or token with webhooks:read may do.

const { apiUrl } = require('./api');

/** What the app's steps need: hooks, events, entities, commands to the product, members. */
const OAUTH_SCOPES = 'webhooks:read webhooks:write events:read events:write entities:read commands:read commands:write members:read members:write';

const baseUrlField = { key: 'base_url', label: 'Platform URL', required: true, type: 'string', helpText: 'Where your Integrations platform runs, e.g. https://integrations.example.com' };

const test = async (z, bundle) => {
  const response = await z.request({ url: apiUrl(bundle, '/api/v1/hooks'), params: { limit: 1 } });
  return response.data;
};

const connectionLabel = (z, bundle) => `Integrations at ${new URL(bundle.authData.base_url).host}`;

const apiKey = {
  type: 'custom',
  fields: [
    baseUrlField,
    { key: 'api_key', label: 'API Key', required: true, type: 'password', helpText: 'A tenant API key (POST /api/v1/tenants/{id}/api-keys).' },
  ],
  test,
  connectionLabel,
};

const platformUrl = (bundle, path) => `${String(bundle.inputData.base_url || bundle.authData.base_url).replace(/\/+$/, '')}${path}`;

/** POST /oauth/token: the client authenticates with HTTP Basic when it has a secret (RFC 6749 §2.3.1), else names itself. */
const tokenRequest = async (z, bundle, form) => {
  const secret = process.env.CLIENT_SECRET;
  const response = await z.request({
    url: platformUrl(bundle, '/oauth/token'),
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      ...(secret ? { Authorization: `Basic ${Buffer.from(`${encodeURIComponent(process.env.CLIENT_ID)}:${encodeURIComponent(secret)}`).toString('base64')}` } : {}),
    },
    body: new URLSearchParams({ ...form, ...(secret ? {} : { client_id: process.env.CLIENT_ID }) }).toString(),
    skipThrowForStatus: true,
  });
  const data = response.data || {};
  if (response.status !== 200) {
    // RFC 6749 §5.2: {error, error_description}; never the codes or tokens sent.
    throw new z.errors.Error(`The platform refused the sign-in: ${data.error_description || data.error || `HTTP ${response.status}`}`, 'AuthenticationError', response.status);
  }
  return { access_token: data.access_token, refresh_token: data.refresh_token };
};

const oauth2 = {
  type: 'oauth2',
  fields: [baseUrlField],
  oauth2Config: {
    // Zapier adds code_challenge and code_challenge_method (enablePkce) and passes the verifier to getAccessToken.
    authorizeUrl: (z, bundle) => {
      const url = new URL(platformUrl(bundle, '/oauth/authorize'));
      url.search = new URLSearchParams({
        response_type: 'code',
        client_id: process.env.CLIENT_ID,
        redirect_uri: bundle.inputData.redirect_uri,
        scope: OAUTH_SCOPES,
        state: bundle.inputData.state,
      }).toString();
      return url.toString();
    },
    getAccessToken: async (z, bundle) => ({
      ...(await tokenRequest(z, bundle, {
        grant_type: 'authorization_code',
        code: bundle.inputData.code,
        redirect_uri: bundle.inputData.redirect_uri,
        ...(bundle.inputData.code_verifier ? { code_verifier: bundle.inputData.code_verifier } : {}),
      })),
      base_url: bundle.inputData.base_url,
    }),
    // The platform rotates refresh tokens (a used one is spent), so the new one replaces it.
    refreshAccessToken: (z, bundle) => tokenRequest(z, bundle, { grant_type: 'refresh_token', refresh_token: bundle.authData.refresh_token }),
    scope: OAUTH_SCOPES,
    autoRefresh: true,
    enablePkce: true,
  },
  test,
  connectionLabel,
};

module.exports = { apiKey, oauth2, OAUTH_SCOPES };
