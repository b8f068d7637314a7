// Browser tests of the console's installed OAuth apps page (docs/console.md#installed-apps): a member
// authorizes an app through the real authorization server (code + PKCE, token exchanged), the console
// lists it with its scopes, Disconnect revokes it (the token stops working); another tenant's app id
// in a crafted form is "not found"; axe. Prints "apps: N passed, N failed".
import { createHash, randomBytes } from "node:crypto";
import { createServer } from "node:http";
import { API_URL, PASSWORD, api, axeViolations, launch, results, signIn, tenantWithMember, walk } from "./harness.mjs";

const browser = await launch();
const callback = createServer((_, response) => response.writeHead(200, { "Content-Type": "text/html" }).end("<title>back</title><p id=callback>back at the app</p>"));
await new Promise((resolve) => callback.listen(0, "127.0.0.1", resolve));
const redirectUri = `http://127.0.0.1:${callback.address().port}/callback`;
const tenantA = await tenantWithMember(browser, "Apps A");
const tenantB = await tenantWithMember(browser, "Apps B");
const register = async (tenant, name) => (await api("POST", "/api/v1/apps", { key: tenant.key, body: {
  name, description: "Reads your events.", redirect_uris: [redirectUri], scopes: ["events:read", "webhooks:read"], client_type: "public",
} })).body.app;
const appOfA = await register(tenantA, "Console Test App");

/** A member's authorization of the app in the browser, then the code exchanged for tokens (RFC 6749 §4.1, RFC 7636). */
async function install(page, tenant, app) {
  const verifier = randomBytes(32).toString("base64url");
  const url = new URL("/oauth/authorize", API_URL);
  url.search = new URLSearchParams({ response_type: "code", client_id: app.client_id, redirect_uri: redirectUri, scope: "events:read webhooks:read",
    state: "s", code_challenge: createHash("sha256").update(verifier).digest("base64url"), code_challenge_method: "S256" });
  await page.goto(url.toString());
  await page.getByLabel("Organisation ID").fill(tenant.id);
  await page.getByLabel("E-mail").fill(tenant.email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await Promise.all([page.waitForURL(`${redirectUri}**`), page.getByRole("button", { name: "Allow" }).click()]);
  const code = new URL(page.url()).searchParams.get("code");
  const token = await fetch(`${API_URL}/oauth/token`, { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ grant_type: "authorization_code", code, redirect_uri: redirectUri, client_id: app.client_id, code_verifier: verifier }) });
  return (await token.json()).access_token;
}

await walk(browser, "installed-app-listed-and-disconnected", async (page, problems) => {
  const accessToken = await install(page, tenantA, appOfA);
  if (!accessToken) return problems.push("no access token");
  const before = await fetch(`${API_URL}/api/v1/events?limit=1`, { headers: { Authorization: `Bearer ${accessToken}` } });
  if (before.status !== 200) problems.push(`the token did not work before: ${before.status}`);
  await signIn(page, tenantA);
  await page.getByRole("link", { name: "Installed apps", exact: true }).click();
  const row = await page.locator("#installed-apps tbody tr").first().textContent();
  if (!row.includes("Console Test App") || !row.includes("events:read") || !row.includes("webhooks:read")) problems.push(`row: ${row}`);
  page.once("dialog", (dialog) => dialog.accept());
  await page.getByRole("button", { name: "Disconnect Console Test App" }).click();
  await page.locator("#empty").waitFor();
  const after = await fetch(`${API_URL}/api/v1/events?limit=1`, { headers: { Authorization: `Bearer ${accessToken}` } });
  if (after.status !== 401) problems.push(`the token still works after Disconnect: ${after.status}`);
});

await walk(browser, "tenant-isolation", async (page, problems) => {
  const appOfB = await register(tenantB, "tenant-b-only app");
  await install(page, tenantB, appOfB);
  await signIn(page, tenantA);
  await page.goto(`${API_URL}/console/installed-apps`);
  if ((await page.content()).includes("tenant-b-only")) problems.push("tenant B's app in tenant A's list");
  const token = await page.locator("input[name=__RequestVerificationToken]").first().inputValue();
  const response = await page.request.post(`${API_URL}/console/installed-apps/${appOfB.id}/disconnect`,
    { form: { __RequestVerificationToken: token }, maxRedirects: 0 });
  if (response.status() !== 404) problems.push(`disconnect of B's app: ${response.status()}`);
  const stillThere = await api("GET", "/api/v1/installed-apps", { key: tenantB.key });
  if (!stillThere.body.data.some((a) => a.app_id === appOfB.id)) problems.push(`B's app was disconnected: ${JSON.stringify(stillThere.body)}`);
});

await walk(browser, "axe-installed-apps", async (page, problems) => {
  await signIn(page, tenantB);
  await page.goto(`${API_URL}/console/installed-apps`);
  if (!(await page.locator("#installed-apps").count())) problems.push("no table to check");
  const found = await axeViolations(page);
  if (found.length) problems.push(`axe: ${found.join(", ")}`);
}, { bypassCSP: true, viewport: { width: 390, height: 844 } });

await browser.close();
callback.close();
console.log(`apps: ${results.passed} passed, ${results.failed} failed`);
process.exit(results.failed === 0 ? 0 : 1);
