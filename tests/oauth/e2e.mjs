// End-to-end check of the authorization server with an independent client library (oauth4webapi):
// discovery, sign-in and consent by submitting the server's HTML forms with a cookie jar (the
// antiforgery token parsed from the page), authorization code + PKCE exchange, an API call with
// the token (also validated as an RFC 9068 JWT access token by the library), refresh with rotation
// and reuse detection, client credentials, revocation and introspection. Prints "e2e: N passed, N failed".
import * as oauth from "oauth4webapi";

const { API_URL, ADMIN_KEY } = process.env;
const insecure = { [oauth.allowInsecureRequests]: true };
let passed = 0;
let failed = 0;
async function check(name, fn) {
  try {
    await fn();
    passed++;
    console.log(`ok   ${name}`);
  } catch (error) {
    failed++;
    console.log(`FAIL ${name}\n     ${error?.stack ?? error}`);
  }
}
const assert = (condition, message) => { if (!condition) throw new Error(message); };
// oauth4webapi reports a 401 with a WWW-Authenticate challenge as an error carrying the response.
const statusOfApiCall = async (token) => {
  try {
    return (await oauth.protectedResourceRequest(token, "GET", new URL(`${API_URL}/api/v1/events`), undefined, undefined, insecure)).status;
  } catch (error) {
    if (error instanceof oauth.WWWAuthenticateChallengeError) return error.response.status;
    throw error;
  }
};

const api = async (method, path, { key, body } = {}) => {
  const response = await fetch(`${API_URL}${path}`, {
    method,
    headers: { ...(key ? { Authorization: `Bearer ${key}` } : {}), ...(body ? { "Content-Type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : undefined };
};

// A minimal browser: cookie jar, no automatic redirects, HTML forms submitted by hand.
class Browser {
  jar = new Map();
  async request(url, init = {}) {
    const headers = new Headers(init.headers);
    if (this.jar.size) headers.set("Cookie", [...this.jar].map(([k, v]) => `${k}=${v}`).join("; "));
    const response = await fetch(new URL(url, API_URL), { ...init, headers, redirect: "manual" });
    for (const cookie of response.headers.getSetCookie()) {
      const [pair] = cookie.split(";");
      const index = pair.indexOf("=");
      this.jar.set(pair.slice(0, index).trim(), pair.slice(index + 1));
    }
    return response;
  }
  async submit(html, formId, fields) {
    const form = html.match(new RegExp(`<form[^>]*action="([^"]+)"[^>]*id="${formId}"[^>]*>([\\s\\S]*?)</form>`));
    assert(form, `no form #${formId} in the page`);
    const body = new URLSearchParams();
    for (const input of form[2].matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) body.set(decode(input[1]), decode(input[2]));
    for (const [k, v] of Object.entries(fields)) body.set(k, v);
    return this.request(form[1], { method: "POST", body, headers: { "Content-Type": "application/x-www-form-urlencoded" } });
  }
}
const decode = (s) => s.replaceAll("&quot;", '"').replaceAll("&#39;", "'").replaceAll("&lt;", "<").replaceAll("&gt;", ">").replaceAll("&amp;", "&")
  .replace(/&#(\d+);/g, (_, n) => String.fromCharCode(Number(n))).replace(/&#x([0-9a-f]+);/gi, (_, n) => String.fromCharCode(parseInt(n, 16)));

// Fixtures through the REST API: an organisation, its API key, a member, a public and a confidential app.
const tenant = (await api("POST", "/api/v1/tenants", { key: ADMIN_KEY, body: { name: "OAuth e2e", plan: "enterprise" } })).json;
const tenantKey = (await api("POST", `/api/v1/tenants/${tenant.id}/api-keys`, { key: ADMIN_KEY })).json.key;
const email = `ada-${Date.now()}@example.com`;
const password = "correct horse battery staple";
const invited = await api("POST", "/api/v1/members", { key: tenantKey, body: { email, role: "member" } });
await api("POST", "/api/v1/members/accept", { body: { invitation_token: invited.json.invitation_token, password } });
const redirectUri = "http://127.0.0.1:43117/callback";
const register = async (client_type) => (await api("POST", "/api/v1/apps", {
  key: tenantKey,
  body: { name: `e2e ${client_type}`, description: "oauth4webapi", redirect_uris: [redirectUri], scopes: ["events:read", "webhooks:read"], client_type },
})).json;
const publicApp = await register("public");
const confidentialApp = await register("confidential");

const issuer = new URL(API_URL);
let as;
await check("discovery (RFC 8414) processed by oauth4webapi", async () => {
  as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: "oauth2", ...insecure }));
  assert(as.code_challenge_methods_supported?.includes("S256"), "S256 missing");
  assert(as.authorization_response_iss_parameter_supported === true, "iss parameter not advertised");
});

async function authorize(client, scope) {
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const url = new URL(as.authorization_endpoint);
  url.search = new URLSearchParams({
    response_type: "code", client_id: client.client_id, redirect_uri: redirectUri, scope, state,
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier), code_challenge_method: "S256",
  });
  const browser = new Browser();
  let response = await browser.request(url);
  assert(response.status === 200, `authorize: ${response.status}`);
  response = await browser.submit(await response.text(), "sign-in", { organisation: tenant.id, email, password });
  assert(response.status === 303, `sign-in: ${response.status}`);
  response = await browser.request(response.headers.get("location"));
  const consent = await response.text();
  assert(consent.includes(scope.split(" ")[0]), "consent page does not list the scope");
  response = await browser.submit(consent, "consent", { decision: "allow" });
  assert(response.status === 303, `consent: ${response.status}`);
  const callback = new URL(response.headers.get("location"));
  // Checks state and iss (RFC 9207) against the discovered issuer.
  const params = oauth.validateAuthResponse(as, client, callback, state);
  return { params, verifier };
}

const publicClient = { client_id: publicApp.app.client_id };
let tokens;
await check("sign-in + consent through the HTML forms, code + PKCE exchange", async () => {
  const { params, verifier } = await authorize(publicClient, "events:read");
  const response = await oauth.authorizationCodeGrantRequest(as, publicClient, oauth.None(), params, redirectUri, verifier, insecure);
  tokens = await oauth.processAuthorizationCodeResponse(as, publicClient, response);
  assert(tokens.token_type === "bearer", `token_type ${tokens.token_type}`);
  assert(tokens.refresh_token, "no refresh token");
});

await check("access token is an RFC 9068 JWT that oauth4webapi validates against the JWKS", async () => {
  const request = new Request(`${API_URL}/api/v1/events`, { headers: { Authorization: `Bearer ${tokens.access_token}` } });
  const claims = await oauth.validateJwtAccessToken(as, request, "integrations-api", insecure);
  assert(claims.client_id === publicClient.client_id && claims.scope === "events:read", JSON.stringify(claims));
});

await check("API call with the access token", async () => {
  const status = await statusOfApiCall(tokens.access_token);
  assert(status === 200, `status ${status}`);
});

let rotated;
await check("refresh rotates the refresh token", async () => {
  const response = await oauth.refreshTokenGrantRequest(as, publicClient, oauth.None(), tokens.refresh_token, insecure);
  rotated = await oauth.processRefreshTokenResponse(as, publicClient, response);
  assert(rotated.refresh_token && rotated.refresh_token !== tokens.refresh_token, "not rotated");
});

await check("reuse of the rotated refresh token is invalid_grant and revokes the grant", async () => {
  const response = await oauth.refreshTokenGrantRequest(as, publicClient, oauth.None(), tokens.refresh_token, insecure);
  let error;
  try { await oauth.processRefreshTokenResponse(as, publicClient, response); } catch (e) { error = e; }
  assert(error?.error === "invalid_grant", `expected invalid_grant, got ${error}`);
  const status = await statusOfApiCall(rotated.access_token);
  assert(status === 401, `the grant's newest access token still works: ${status}`);
});

const confidentialClient = { client_id: confidentialApp.app.client_id };
const secretAuth = oauth.ClientSecretBasic(confidentialApp.client_secret);
let confidentialTokens;
await check("confidential client: code + PKCE with client_secret_basic", async () => {
  const { params, verifier } = await authorize(confidentialClient, "events:read webhooks:read");
  const response = await oauth.authorizationCodeGrantRequest(as, confidentialClient, secretAuth, params, redirectUri, verifier, insecure);
  confidentialTokens = await oauth.processAuthorizationCodeResponse(as, confidentialClient, response);
});

await check("introspection (RFC 7662) reports the token active", async () => {
  const response = await oauth.introspectionRequest(as, confidentialClient, secretAuth, confidentialTokens.access_token, insecure);
  const result = await oauth.processIntrospectionResponse(as, confidentialClient, response);
  assert(result.active === true && result.client_id === confidentialClient.client_id, JSON.stringify(result));
});

let appToken;
await check("client_credentials (RFC 6749 §4.4) for the installing organisation: no refresh token, an RFC 9068 JWT", async () => {
  const parameters = new URLSearchParams({ tenant_id: tenant.id, scope: "events:read" });
  const response = await oauth.clientCredentialsGrantRequest(as, confidentialClient, secretAuth, parameters, insecure);
  appToken = await oauth.processClientCredentialsResponse(as, confidentialClient, response);
  assert(appToken.refresh_token === undefined && appToken.scope === "events:read", JSON.stringify(appToken));
  const request = new Request(`${API_URL}/api/v1/events`, { headers: { Authorization: `Bearer ${appToken.access_token}` } });
  const claims = await oauth.validateJwtAccessToken(as, request, "integrations-api", insecure);
  assert(claims.sub === confidentialClient.client_id && claims.tenant_id === tenant.id, JSON.stringify(claims));
  const status = await statusOfApiCall(appToken.access_token);
  assert(status === 200, `status ${status}`);
});

await check("revocation (RFC 7009), then introspection says inactive and the API refuses the token", async () => {
  await oauth.processRevocationResponse(await oauth.revocationRequest(as, confidentialClient, secretAuth, confidentialTokens.refresh_token, insecure));
  const response = await oauth.introspectionRequest(as, confidentialClient, secretAuth, confidentialTokens.access_token, insecure);
  const result = await oauth.processIntrospectionResponse(as, confidentialClient, response);
  assert(result.active === false, JSON.stringify(result));
  const status = await statusOfApiCall(confidentialTokens.access_token);
  assert(status === 401, `status ${status}`);
});

await check("client_credentials ends with the consent it relies on", async () => {
  const status = await statusOfApiCall(appToken.access_token);
  assert(status === 401, `the app token outlived the revoked consent: ${status}`);
  const response = await oauth.clientCredentialsGrantRequest(as, confidentialClient, secretAuth, new URLSearchParams({ tenant_id: tenant.id }), insecure);
  let error;
  try { await oauth.processClientCredentialsResponse(as, confidentialClient, response); } catch (e) { error = e; }
  assert(error?.error === "unauthorized_client", `expected unauthorized_client, got ${error}`);
});

await check("introspection by a public client is refused", async () => {
  const response = await oauth.introspectionRequest(as, publicClient, oauth.None(), tokens.access_token, insecure);
  assert(response.status === 401, `status ${response.status}`);
});

console.log(`e2e: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
