'use strict';

// The Zapier app of the Integrations platform (docs/no-code.md): REST-hook triggers on the
// platform's /api/v1/hooks, entity and user actions and searches, signed in with an API key.

const { version } = require('./package.json');
const { version: platformVersion } = require('zapier-platform-core');
const authentication = require('./lib/authentication');
const { addApiKey, raisePlatformErrors } = require('./lib/api');
const triggers = require('./lib/triggers');
const { creates, searches } = require('./lib/actions');

module.exports = {
  version,
  platformVersion,
  authentication,
  beforeRequest: [addApiKey],
  afterResponse: [raisePlatformErrors],
  triggers,
  searches,
  creates,
  resources: {},
};
