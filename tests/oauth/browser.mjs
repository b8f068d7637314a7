// Walks invitation, sign-in and consent in headless Debian Chromium (playwright-core) as a person would: types
// into the sign-in form, reads the consent screen, clicks Allow (and, on a second walk, Deny), and
// checks where the browser lands. Screenshots go to $SCREENSHOT_DIR. Prints "browser: N passed, N failed".
import { chromium } from "playwright-core";
import { createHash, randomBytes } from "node:crypto";
import { createServer } from "node:http";

const { API_URL, ADMIN_KEY } = process.env;
const SCREENSHOT_DIR = process.env.SCREENSHOT_DIR ?? ".";
const api = async (method, path, { key, body } = {}) => {
  const response = await fetch(`${API_URL}${path}`, {
    method,
    headers: { ...(key ? { Authorization: `Bearer ${key}` } : {}), ...(body ? { "Content-Type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return response.json();
};

const tenant = await api("POST", "/api/v1/tenants", { key: ADMIN_KEY, body: { name: "OAuth browser", plan: "enterprise" } });
const tenantKey = (await api("POST", `/api/v1/tenants/${tenant.id}/api-keys`, { key: ADMIN_KEY })).key;
const email = `grace-${Date.now()}@example.com`;
const password = "correct horse battery staple";
const invitation = await api("POST", "/api/v1/members", { key: tenantKey, body: { email, role: "member" } });
// The app's callback: a real loopback server, so the browser lands somewhere after the redirect.
const callbackServer = createServer((_, response) => response.writeHead(200, { "Content-Type": "text/html" }).end("<p id=callback>back at the app</p>"));
await new Promise((resolve) => callbackServer.listen(0, "127.0.0.1", resolve));
const redirectUri = `http://127.0.0.1:${callbackServer.address().port}/callback`;
const app = (await api("POST", "/api/v1/apps", {
  key: tenantKey,
  body: { name: "Browser Test App", description: "Reads your events.", redirect_uris: [redirectUri], scopes: ["events:read", "webhooks:read"], client_type: "public" },
})).app;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});

let passed = 0;
let failed = 0;
function authorizeUrl(state) {
  const verifier = randomBytes(32).toString("base64url");
  const challenge = createHash("sha256").update(verifier).digest("base64url");
  const url = new URL("/oauth/authorize", API_URL);
  url.search = new URLSearchParams({ response_type: "code", client_id: app.client_id, redirect_uri: redirectUri, scope: "events:read webhooks:read", state,
    code_challenge: challenge, code_challenge_method: "S256" });
  return url.toString();
}

async function walk(name, fn) {
  const context = await browser.newContext({ viewport: { width: 900, height: 800 } });
  const page = await context.newPage();
  const problems = [];
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  try {
    await fn(page, problems);
  } catch (error) {
    problems.push(error.message.split("\n")[0]);
  }
  await page.screenshot({ path: `${SCREENSHOT_DIR}/oauth-${name}.png` }).catch(() => {});
  await context.close();
  if (problems.length) {
    failed++;
    console.log(`FAIL ${name}: ${problems.join("; ")}`);
  } else {
    passed++;
    console.log(`ok   ${name}`);
  }
}

async function signIn(page, pass = password) {
  await page.goto(authorizeUrl("browser-state"));
  await page.getByLabel("Organisation ID").fill(tenant.id);
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Password").fill(pass);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForLoadState();
}

// The invitee sets a password on the invitation page (the link carries the token).
await walk("accept-invitation", async (page, problems) => {
  await page.goto(`${API_URL}/oauth/invitations/accept?token=${encodeURIComponent(invitation.invitation_token)}`);
  await page.getByLabel(/Choose a password/).fill(password);
  await page.getByRole("button", { name: "Join" }).click();
  await page.waitForLoadState();
  const organisation = await page.locator("#organisation").textContent();
  if (organisation !== tenant.id) problems.push(`organisation shown: ${organisation}`);
});

await walk("wrong-password", async (page, problems) => {
  await signIn(page, "not the password at all");
  const error = await page.locator("#error").textContent();
  if (!error?.includes("not correct")) problems.push(`no sign-in error shown: ${error}`);
});

await walk("sign-in-and-allow", async (page, problems) => {
  await signIn(page);
  const heading = await page.locator("h1").textContent();
  if (!heading?.includes("Browser Test App")) problems.push(`consent heading: ${heading}`);
  const scopes = await page.locator("#scopes li").allTextContents();
  if (!scopes.some((s) => s.includes("events:read")) || !scopes.some((s) => s.includes("webhooks:read"))) problems.push(`scopes listed: ${scopes}`);
  await page.screenshot({ path: `${SCREENSHOT_DIR}/oauth-consent.png` });
  await Promise.all([page.waitForURL(`${redirectUri}**`), page.getByRole("button", { name: "Allow" }).click()]);
  const url = new URL(page.url());
  if (!url.searchParams.get("code")) problems.push(`no code in ${url}`);
  if (url.searchParams.get("state") !== "browser-state") problems.push("state not echoed");
  if (url.searchParams.get("iss") !== new URL(API_URL).origin) problems.push(`iss ${url.searchParams.get("iss")}`);
});

await walk("sign-in-and-deny", async (page, problems) => {
  await signIn(page);
  await Promise.all([page.waitForURL(`${redirectUri}**`), page.getByRole("button", { name: "Deny" }).click()]);
  const url = new URL(page.url());
  if (url.searchParams.get("error") !== "access_denied") problems.push(`error ${url.searchParams.get("error")}`);
  if (url.searchParams.get("code")) problems.push("a code despite the denial");
});

await walk("unknown-client-error-page", async (page, problems) => {
  const response = await page.goto(authorizeUrl("x").replace(app.client_id, "app_nope"));
  if (response.status() !== 400) problems.push(`status ${response.status()}`);
  if (!page.url().startsWith(API_URL)) problems.push(`redirected to ${page.url()}`);
  if (!(await page.locator("#error").isVisible())) problems.push("no error message");
});

await browser.close();
callbackServer.close();
console.log(`browser: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
