'use strict';

// The Make app's OAuth 2.0 connection against the platform's authorization server (docs/oauth.md):
// the authorize URL as the definition builds it (PKCE S256 from a verifier in temp), the member's
// sign-in and consent posted as a browser would (the Zapier app tests' helper; in Make the user sees
// those pages in a browser window), the token exchange, the info call, module calls with the access token, the refresh
// condition, refresh with rotation, invalidate, and reuse of a rotated refresh token refused.

const { describe, it } = require('node:test');
const assert = require('assert');
const crypto = require('crypto');
const { API_URL, createTenant } = require('../../integrations/zapier/test/system');
const { registerApp, createMember, consent } = require('../../integrations/zapier/test/oauth');
const { expand } = require('./iml');
const { code, run, MakeError } = require('./runtime');

const REDIRECT_URI = 'http://127.0.0.1:43118/oauth/cb/app'; // stands for Make's https://www.make.com/oauth/cb/app
const communication = code('connection', 'oauth', 'communication');
const defaultScope = code('connection', 'oauth', 'defaultScope');

/** A tenant with a member who can sign in, and a confidential app registered for Make with the default scope. */
const setUp = async () => {
  const tenant = await createTenant();
  const member = await createMember(tenant);
  const { clientId, clientSecret } = await registerApp(tenant, REDIRECT_URI, defaultScope);
  return { member, parameters: { baseUrl: API_URL, clientId, clientSecret }, oauth: { scope: defaultScope, localRedirectUri: REDIRECT_URI } };
};

describe('the Make app against the running system (OAuth 2.0)', () => {
  it('signs in with authorization code + PKCE S256, calls modules with the token, refreshes with rotation and invalidates', async () => {
    const { member, parameters, oauth } = await setUp();

    // authorize: temp first, then the URL; Make adds state itself.
    const temp = expand(communication.authorize.temp, { parameters, oauth });
    const qs = expand(communication.authorize.qs, { parameters, oauth, temp });
    assert.ok(temp.codeVerifier.length >= 43 && /^[A-Za-z0-9\-._~]+$/.test(temp.codeVerifier), 'an RFC 7636 verifier');
    assert.equal(qs.code_challenge, crypto.createHash('sha256').update(temp.codeVerifier).digest('base64url'), 'S256 of the verifier, base64url');
    const state = crypto.randomUUID();
    const authorizeUrl = new URL(expand(communication.authorize.url, { parameters }));
    authorizeUrl.search = new URLSearchParams({ ...qs, state });

    const callback = await consent(authorizeUrl, member);
    assert.equal(`${callback.origin}${callback.pathname}`, REDIRECT_URI);
    assert.equal(callback.searchParams.get('state'), state);
    const query = Object.fromEntries(callback.searchParams);
    Object.assign(temp, expand(communication.authorize.response.temp, { query }));

    // token
    const token = await run(communication.token, { parameters, oauth, temp }, { withBase: false });
    const data = token.data;
    assert.ok(data.accessToken && data.refreshToken, 'the tokens are kept in the connection data');
    assert.equal(data.baseUrl, API_URL);
    assert.ok(Math.abs(new Date(data.expires).getTime() - (Date.now() + 3600 * 1000)) < 60000, 'data.expires is the access token\'s expiry');
    assert.ok(new Date(token.expires).getTime() > Date.now() + 29 * 86400000, 'the connection expires with the refresh token (30 days)');
    const sentToken = new URLSearchParams(token.sent[0].body);
    assert.deepEqual([sentToken.get('grant_type'), sentToken.get('code_verifier'), sentToken.get('redirect_uri')], ['authorization_code', temp.codeVerifier, REDIRECT_URI]);

    // info and modules with the access token (base: Authorization from connection.accessToken)
    const info = await run(communication.info, { parameters, connection: data, data }, { withBase: false });
    assert.deepEqual([info.responses[0].statusCode, info.metadata.value], [200, API_URL]);
    const connection = data;
    const invited = await run(code('module', 'addUser', 'communication'), { connection, parameters: { email: 'oauth.user@example.com', role: 'member' } });
    const found = await run(code('module', 'findUser', 'communication'), { connection, parameters: { email: 'OAUTH.user@example.com' } });
    assert.deepEqual(found.bundles.map((m) => m.id), [invited.output.id]);
    const attached = await run(code('webhook', 'user-joined', 'attach'), { connection, webhook: { url: 'http://127.0.0.1:9/make' } });
    await run(code('webhook', 'user-joined', 'detach'), { connection, webhook: attached.data });
    const entities = await run(code('module', 'findEntities', 'communication'), { connection, parameters: { entityType: 'task', attribute: 'a', value: 'b', status: 'active', limit: 1 } });
    assert.equal(entities.responses[0].statusCode, 200, 'entities:read lets the token search entities');
    const updated = await run(code('module', 'updateEntity', 'communication'), { connection, parameters: { entityType: 'task', entityId: 'T-1', attributes: [{ name: 'a', value: 'b' }] } });
    assert.deepEqual([updated.responses.map((r) => r.statusCode), updated.output.status], [[201, 202], 'pending'], 'commands:write and commands:read let the token send a command and wait for its answer');

    // refresh: not yet, then due; the new refresh token replaces the old one
    const due = { ...data, expires: new Date(Date.now() + 60000).toISOString() };
    assert.equal((await run(communication.refresh, { parameters, data })).sent.length, 0, 'a fresh token is not refreshed');
    const refreshed = await run(communication.refresh, { parameters, data: due }, { withBase: false });
    assert.equal(new URLSearchParams(refreshed.sent[0].body).get('refresh_token'), data.refreshToken);
    assert.ok(refreshed.data.refreshToken && refreshed.data.refreshToken !== data.refreshToken, 'rotated');
    assert.equal(refreshed.data.baseUrl, API_URL);
    const afterRefresh = await run(code('rpc', 'listEventTypes', 'communication'), { connection: refreshed.data });
    assert.ok(afterRefresh.bundles.length > 0);
    const hooks = await run(code('connection', 'oauth', 'communication').info, { parameters, connection: refreshed.data }, { withBase: false });
    assert.equal(hooks.responses[0].statusCode, 200, 'the refreshed access token works');

    // invalidate revokes the grant: the refreshed access token stops working
    const invalidated = await run(communication.invalidate, { parameters, connection: refreshed.data }, { withBase: false });
    assert.equal(invalidated.responses[0].statusCode, 200);
    await assert.rejects(run(communication.info, { parameters, connection: refreshed.data }, { withBase: false }),
      (e) => e instanceof MakeError && e.statusCode === 401 && e.type === 'InvalidAccessTokenError');

    // a used refresh token is refused with the server's OAuth error
    await assert.rejects(run(communication.refresh, { parameters, data: due }, { withBase: false }),
      (e) => e instanceof MakeError && e.statusCode === 400 && /^\[400\] invalid_grant: /.test(e.message));
  });
});
