'use strict';

// Requests to the tenant's Integrations platform: the base URL and API key come from the
// connection (self-hosted: every customer has their own URL); errors in the platform's format
// ({"error": {"code", "message"}}) become Zapier errors that show the platform's message.

const apiUrl = (bundle, path) => `${String(bundle.authData.base_url).replace(/\/+$/, '')}${path}`;

const addApiKey = (request, z, bundle) => {
  if (bundle.authData && bundle.authData.api_key) {
    request.headers = { ...request.headers, Authorization: `Bearer ${bundle.authData.api_key}` };
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

const raisePlatformErrors = (response, z) => {
  if (response.status < 400 || response.skipThrowForStatus) return response;
  const error = platformError(response);
  if (response.status === 401) {
    throw new z.errors.Error('The platform refused the API key: check it, or create a new one.', 'AuthenticationError', 401);
  }
  if (error && error.code && error.message) throw new z.errors.Error(error.message, error.code, response.status);
  return response;
};

module.exports = { apiUrl, addApiKey, raisePlatformErrors };
