'use strict';

// The app definition around one of the two sign-in flavours (lib/authentication.js).

const { version } = require('../package.json');
const { version: platformVersion } = require('zapier-platform-core');
const { addAuthorization, raisePlatformErrors } = require('./api');
const triggers = require('./triggers');
const { creates, searches } = require('./actions');

const buildApp = (authentication) => ({
  version,
  platformVersion,
  authentication,
  beforeRequest: [addAuthorization],
  afterResponse: [raisePlatformErrors],
  triggers,
  searches,
  creates,
  resources: {},
});

module.exports = { buildApp };
