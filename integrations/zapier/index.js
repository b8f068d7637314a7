'use strict';

// The Zapier app of the Integrations platform (docs/no-code.md): REST-hook triggers on the
// platform's /api/v1/hooks, entity and user actions and searches, signed in with an API key or,
// built with package.json's config.auth = "oauth2", with OAuth 2.0 on the platform.

const { config } = require('./package.json');
const { buildApp } = require('./lib/app');
const { apiKey, oauth2 } = require('./lib/authentication');

module.exports = buildApp(config && config.auth === 'oauth2' ? oauth2 : apiKey);
