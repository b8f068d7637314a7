'use strict';

// Requests to the tenant's Integrations platform: the base URL and the API key or OAuth access
// token come from the connection (self-hosted: every customer has their own URL); errors in the platform's format
// ({"error": {"code", "message"}}) become Zapier errors that show the platform's message.

const apiUrl = (bundle, path) => `${String(bundle.authData.base_url).replace(/\/+$/, '')}${path}`;

const addAuthorization = (request, z, bundle) => {
  const credential = bundle.authData && (bundle.authData.api_key || bundle.authData.access_token);
  // The token endpoint authenticates the client, never with the member's token.
  const toTokenEndpoint = new URL(request.url, 'http://x').pathname.endsWith('/oauth/token');
  if (credential && !toTokenEndpoint && !(request.headers && request.headers.Authorization)) {
    request.headers = { ...request.headers, Authorization: `Bearer ${credential}` };
  }
  return request;
};

const platformError = (response) => {
  try {
    return JSON.parse(response.content).error;
  } catch {
    return undefined;
  }
};

const raisePlatformErrors = (response, z, bundle) => {
  if (response.status < 400 || response.skipThrowForStatus) return response;
  const error = platformError(response);
  if (response.status === 401) {
    const what = bundle.authData && bundle.authData.access_token ? 'the sign-in: connect the account again' : 'the API key: check it, or create a new one';
    throw new z.errors.Error(`The platform refused ${what}.`, 'AuthenticationError', 401);
  }
  if (error && error.code && error.message) throw new z.errors.Error(error.message, error.code, response.status);
  return response;
};

module.exports = { apiUrl, addAuthorization, raisePlatformErrors };
