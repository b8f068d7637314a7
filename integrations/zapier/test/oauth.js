'use strict';

// A member's consent on the platform's authorization server without a browser: the sign-in and
// consent forms are posted as a browser would post them (the C# OAuthHarness does the same), so
// the app's OAuth 2.0 steps run against the real authorization server.

const assert = require('assert');
const crypto = require('crypto');
const { API_URL, call } = require('./system');

const PASSWORD = 'correct horse battery staple';

/** A confidential app of the tenant, as its developer registers it (POST /api/v1/apps). */
const registerApp = async (tenant, redirectUri, scopes) => {
  const registered = await call('POST', '/api/v1/apps', tenant.key, {
    name: 'Zapier', description: 'The Zapier app under test.', redirect_uris: [redirectUri], scopes, client_type: 'confidential',
  });
  assert.equal(registered.status, 201, JSON.stringify(registered.json));
  return { clientId: registered.json.app.client_id, clientSecret: registered.json.client_secret };
};

/** A member of the tenant with a password: invited, then accepting the invitation. */
const createMember = async (tenant) => {
  const email = `zap-${crypto.randomBytes(4).toString('hex')}@example.com`;
  const invited = await call('POST', '/api/v1/members', tenant.key, { email, role: 'member' });
  assert.equal(invited.status, 201, JSON.stringify(invited.json));
  const accepted = await call('POST', '/api/v1/members/accept', undefined, { invitation_token: invited.json.invitation_token, password: PASSWORD });
  assert.equal(accepted.status, 200, JSON.stringify(accepted.json));
  return { tenantId: tenant.id, email, password: PASSWORD };
};

const pkce = () => {
  const verifier = crypto.randomBytes(32).toString('base64url');
  return { verifier, challenge: crypto.createHash('sha256').update(verifier).digest('base64url') };
};

const formField = (html, name) => {
  const match = new RegExp(`name="${name}" value="([^"]*)"`).exec(html);
  assert.ok(match, `the page has no ${name} field: ${html.slice(0, 300)}`);
  // WebUtility.HtmlEncode's entities: the named four and numeric ones.
  const named = { amp: '&', lt: '<', gt: '>', quot: '"' };
  return match[1].replace(/&(amp|lt|gt|quot|#\d+);/g, (entity, name) => named[name] ?? String.fromCharCode(Number(name.slice(1))));
};

/** GET the authorize URL, sign in, allow: returns the redirect the platform sends the browser to. */
const consent = async (authorizeUrl, member) => {
  const cookies = new Map();
  const browse = async (url, form) => {
    const response = await fetch(new URL(url, API_URL), {
      method: form ? 'POST' : 'GET',
      redirect: 'manual',
      headers: {
        Cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; '),
        ...(form ? { 'Content-Type': 'application/x-www-form-urlencoded' } : {}),
      },
      body: form ? new URLSearchParams(form).toString() : undefined,
    });
    for (const cookie of response.headers.getSetCookie()) {
      const [pair] = cookie.split(';');
      const at = pair.indexOf('=');
      cookies.set(pair.slice(0, at), pair.slice(at + 1));
    }
    return { status: response.status, location: response.headers.get('location'), html: await response.text() };
  };
  const signInPage = await browse(authorizeUrl);
  assert.equal(signInPage.status, 200, signInPage.html.slice(0, 300));
  const signedIn = await browse('/oauth/authorize/sign-in', {
    __RequestVerificationToken: formField(signInPage.html, '__RequestVerificationToken'),
    request: formField(signInPage.html, 'request'),
    organisation: member.tenantId, email: member.email, password: member.password,
  });
  assert.equal(signedIn.status, 303, signedIn.html.slice(0, 300));
  const consentPage = await browse(signedIn.location);
  assert.equal(consentPage.status, 200, consentPage.html.slice(0, 300));
  const allowed = await browse('/oauth/authorize/consent', {
    __RequestVerificationToken: formField(consentPage.html, '__RequestVerificationToken'),
    request: formField(consentPage.html, 'request'),
    decision: 'allow',
  });
  assert.equal(allowed.status, 303, allowed.html.slice(0, 300));
  return new URL(allowed.location);
};

module.exports = { registerApp, createMember, pkce, consent };
