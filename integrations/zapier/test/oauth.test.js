'use strict';

// The app built with OAuth 2.0 sign-in (lib/authentication.js oauth2) against the platform's own
// authorization server. The test plays Zapier's backend: it adds the PKCE challenge to the
// authorize URL (enablePkce), redirects the member, and hands the code and verifier to getAccessToken.

const { describe, it, before, after } = require('node:test');
const assert = require('assert');
const zapier = require('zapier-platform-core');
const { buildApp } = require('../lib/app');
const { oauth2, OAUTH_SCOPES } = require('../lib/authentication');
const { API_URL, createTenant, publish, eventually, call, startSink } = require('./system');
const { registerApp, createMember, pkce, consent } = require('./oauth');

const App = buildApp(oauth2);
const appTester = zapier.createAppTester(App);
const { authorizeUrl, getAccessToken, refreshAccessToken } = App.authentication.oauth2Config;
const REDIRECT_URI = 'https://zapier.com/dashboard/auth/oauth/return/App123CLIAPI/';

describe('the Zapier app signed in with OAuth 2.0', () => {
  let tenant;
  let sink;
  before(async () => {
    sink = await startSink();
    tenant = await createTenant();
    const app = await registerApp(tenant, REDIRECT_URI, OAUTH_SCOPES.split(' '));
    process.env.CLIENT_ID = app.clientId;
    process.env.CLIENT_SECRET = app.clientSecret;
  });
  after(async () => {
    await sink.close();
  });

  /** Zapier's side of the front channel: the app's authorize URL plus the PKCE challenge, a member's consent, the code. */
  const authorize = async (member, state) => {
    const { verifier, challenge } = pkce();
    const url = new URL(await appTester(authorizeUrl, { inputData: { base_url: API_URL, redirect_uri: REDIRECT_URI, state } }));
    url.searchParams.set('code_challenge', challenge);
    url.searchParams.set('code_challenge_method', 'S256');
    const redirect = await consent(url.pathname + url.search, member);
    assert.equal(`${redirect.origin}${redirect.pathname}`, REDIRECT_URI);
    assert.equal(redirect.searchParams.get('state'), state);
    return { code: redirect.searchParams.get('code'), verifier };
  };

  it('asks for the scopes the steps need, exchanges the code with its PKCE verifier, and the token works the triggers and actions', async () => {
    const url = new URL(await appTester(authorizeUrl, { inputData: { base_url: `${API_URL}/`, redirect_uri: REDIRECT_URI, state: 's-1' } }));
    assert.equal(`${url.origin}${url.pathname}`, `${API_URL}/oauth/authorize`);
    assert.deepEqual(Object.fromEntries(url.searchParams),
      { response_type: 'code', client_id: process.env.CLIENT_ID, redirect_uri: REDIRECT_URI, scope: OAUTH_SCOPES, state: 's-1' });

    const member = await createMember(tenant);
    const { code, verifier } = await authorize(member, 's-2');
    const authData = await appTester(getAccessToken, { inputData: { base_url: API_URL, code, redirect_uri: REDIRECT_URI, code_verifier: verifier } });
    assert.ok(authData.access_token && authData.refresh_token);
    assert.equal(authData.base_url, API_URL);

    await appTester(App.authentication.test, { authData });
    assert.equal(await appTester(App.authentication.connectionLabel, { authData }), `Integrations at ${new URL(API_URL).host}`);
    const hook = await appTester(App.triggers.event.operation.performSubscribe, { authData, inputData: { event_type: 'user.joined' }, targetUrl: sink.newUrl() });
    assert.equal((await call('GET', `/api/v1/hooks/${hook.id}`, tenant.key)).status, 200, 'the hook is the tenant\'s');
    await appTester(App.triggers.event.operation.performUnsubscribe, { authData, subscribeData: hook });
    const invited = await appTester(App.creates.add_user.operation.perform, { authData, inputData: { email: `oauth.${Date.now()}@example.com`, role: 'member' } });
    assert.deepEqual((await appTester(App.searches.find_user.operation.perform, { authData, inputData: { email: invited.email } })).map((m) => m.id), [invited.id]);
    await publish(tenant, 'entity.created', { entity_id: 'O-1', entity_type: 'project', attributes: { name: 'Via OAuth' } });
    let found = [];
    await eventually(async () => (found = await appTester(App.searches.find_entity.operation.perform,
      { authData, inputData: { entity_type: 'project', entity_id: 'O-1' } })).length === 1, 'the entity read model has it');
    assert.equal(found[0].attributes.name, 'Via OAuth');
  });

  it('refuses a code without its verifier, asks Zapier to refresh a stale token, and a spent refresh token ends the grant', async () => {
    const member = await createMember(tenant);
    const wrong = await authorize(member, 's-3');
    await assert.rejects(appTester(getAccessToken, { inputData: { base_url: API_URL, code: wrong.code, redirect_uri: REDIRECT_URI, code_verifier: pkce().verifier } }),
      /refused the sign-in/);

    const { code, verifier } = await authorize(member, 's-4');
    const first = await appTester(getAccessToken, { inputData: { base_url: API_URL, code, redirect_uri: REDIRECT_URI, code_verifier: verifier } });
    await assert.rejects(appTester(App.authentication.test, { authData: { ...first, access_token: 'stale' } }), (error) => error.name === 'RefreshAuthError');

    const refreshed = await appTester(refreshAccessToken, { authData: first });
    assert.ok(refreshed.access_token && refreshed.refresh_token);
    assert.notEqual(refreshed.refresh_token, first.refresh_token, 'the platform rotates refresh tokens');
    await appTester(App.authentication.test, { authData: { ...first, ...refreshed } });

    await assert.rejects(appTester(refreshAccessToken, { authData: first }), /refused the sign-in/);
    await assert.rejects(appTester(App.authentication.test, { authData: { ...first, ...refreshed } }), (error) => error.name === 'RefreshAuthError',
      'reusing a spent refresh token revokes the whole grant (RFC 9700), so Zapier asks the member to connect again');
  });
});
