// Browser tests of the console's developer portal (docs/console.md#your-apps): register an OAuth
// app (refused input keeps the form), its client secret shown once and working at the token
// introspection endpoint, redirect URIs edited, the secret rotated (the old one stops working),
// submitted for review; a private app lists the organisations allowed to install it; another
// tenant's app through crafted URLs and forms; embedded sessions mint no secret; axe.
// Prints "developer: N passed, N failed".
import { API_URL, api, axeWalks, launch, results, signIn, tenantWithMember, walk } from "./harness.mjs";

const browser = await launch();
const stamp = Date.now();
const tenantA = await tenantWithMember(browser, "Developer A");
const tenantB = await tenantWithMember(browser, "Developer B");
const appsOf = async (tenant) => (await api("GET", "/api/v1/apps?limit=100", { key: tenant.key })).body.data;
/** RFC 7662 introspection with the client's credentials (Basic): 200 when they are valid, 401 when not. */
const introspect = async (clientId, secret) => (await fetch(`${API_URL}/oauth/introspect`, { method: "POST",
  headers: { Authorization: `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString("base64")}`,
    "Content-Type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ token: "not-a-token" }) })).status;
let appOfA;

await walk(browser, "register-rotate-submit", async (page, problems) => {
  const name = `Ledger Sync ${stamp}`;
  await signIn(page, tenantA);
  await page.getByRole("link", { name: "Your apps" }).click();
  await page.getByRole("link", { name: "Register an app" }).click();
  await page.getByLabel("Name", { exact: true }).fill(name);
  await page.getByLabel("Category", { exact: true }).selectOption("accounting");
  await page.getByLabel(/^Redirect URIs/).fill("ftp://ledger.example/callback");
  await page.getByLabel(/events:read/).check();
  await page.getByLabel(/^Other organisations/).fill(tenantB.id);
  await page.getByRole("button", { name: "Register app" }).click();
  if (!(await page.locator("#error").isVisible())) problems.push("no error for an ftp redirect URI");
  if ((await page.getByLabel("Name", { exact: true }).inputValue()) !== name) problems.push("the typed name was lost");
  if ((await appsOf(tenantA)).length !== 0) problems.push("a refused form registered an app");
  await page.getByLabel(/^Redirect URIs/).fill("https://ledger.example/callback\nhttp://127.0.0.1:8765/callback");
  await page.getByRole("button", { name: "Register app" }).click();
  const secret = (await page.locator("#client-secret").textContent())?.trim() ?? "";
  const clientId = (await page.locator("#client-id").textContent())?.trim() ?? "";
  appOfA = (await appsOf(tenantA)).find((a) => a.client_id === clientId);
  if (!appOfA || !secret) return problems.push(`registered: ${clientId} ${JSON.stringify(appOfA)}`);
  if (appOfA.visibility !== "private" || JSON.stringify(appOfA.allowed_tenant_ids) !== JSON.stringify([tenantB.id]) || appOfA.category !== "accounting")
    problems.push(`stored: ${JSON.stringify(appOfA)}`);
  if (!(await page.locator("#allowed-tenants").textContent()).includes(tenantB.id)) problems.push("the allowed organisation is not shown");
  if ((await introspect(clientId, secret)) !== 200) problems.push("the shown secret does not authenticate the client");
  await page.goto(`${API_URL}/console/apps/${appOfA.id}`);
  if ((await page.content()).includes(secret)) problems.push("the secret is shown again");
  await page.getByLabel("Redirect URIs (one a line)", { exact: true }).fill("https://ledger.example/v2/callback");
  await page.getByRole("button", { name: "Save redirect URIs" }).click();
  const saved = (await api("GET", `/api/v1/apps/${appOfA.id}`, { key: tenantA.key })).body.redirect_uris;
  if (JSON.stringify(saved) !== JSON.stringify(["https://ledger.example/v2/callback"])) problems.push(`redirect URIs: ${JSON.stringify(saved)}`);
  page.once("dialog", (dialog) => dialog.accept());
  await page.getByRole("button", { name: "Rotate client secret" }).click();
  const rotated = (await page.locator("#client-secret").textContent())?.trim() ?? "";
  if (!rotated || rotated === secret) problems.push("no new secret after the rotation");
  if ((await introspect(clientId, secret)) !== 401) problems.push("the previous secret still works");
  if ((await introspect(clientId, rotated)) !== 200) problems.push("the new secret does not work");
  page.once("dialog", (dialog) => dialog.accept());
  await page.getByRole("button", { name: "Submit for review" }).click();
  if (!(await page.locator("#review-status").textContent()).includes("pending")) problems.push("not pending after the submit");
  if ((await api("GET", `/api/v1/apps/${appOfA.id}`, { key: tenantA.key })).body.review_status !== "pending") problems.push("the API does not say pending");
  if (await page.getByRole("button", { name: "Submit for review" }).count()) problems.push("Submit is still offered");
});

await walk(browser, "apps-tenant-isolation-and-embedding", async (page, problems) => {
  if (!appOfA) return problems.push("no app of A");
  await signIn(page, tenantB);
  await page.goto(`${API_URL}/console/apps`);
  if ((await page.content()).includes(appOfA.name)) problems.push("A's app in B's list");
  const detail = await page.goto(`${API_URL}/console/apps/${appOfA.id}`);
  if (detail.status() !== 404 || (await detail.text()).includes(appOfA.client_id)) problems.push(`B opens A's app: ${detail.status()}`);
  await page.goto(`${API_URL}/console/apps/new`);
  const token = await page.locator("input[name=__RequestVerificationToken]").first().inputValue();
  for (const action of ["rotate-secret", "submit", "redirect-uris"]) {
    const crafted = await page.request.post(`${API_URL}/console/apps/${appOfA.id}/${action}`,
      { form: { __RequestVerificationToken: token, redirect_uris: "https://evil.example/cb" }, maxRedirects: 0 });
    if (crafted.status() !== 404) problems.push(`${action} on A's app: ${crafted.status()}`);
  }
  const stored = (await api("GET", `/api/v1/apps/${appOfA.id}`, { key: tenantA.key })).body;
  if (JSON.stringify(stored.redirect_uris) !== JSON.stringify(["https://ledger.example/v2/callback"])) problems.push("B's forms changed A's app");
  const forged = await page.request.post(`${API_URL}/console/apps`, { form: { name: "Forged", redirect_uris: "https://f.example/cb", client_type: "public" }, maxRedirects: 0 });
  if (forged.status() !== 400 || (await appsOf(tenantB)).length) problems.push(`forged registration: ${forged.status()}`);
  await page.goto((await api("POST", "/api/v1/console-sessions", { key: tenantB.key })).body.url);
  await page.goto(`${API_URL}/console/apps`);
  if (await page.getByRole("link", { name: "Register an app" }).count()) problems.push("an embedded session offers Register an app");
  const embeddedToken = await page.locator("input[name=__RequestVerificationToken]").first().inputValue().catch(() => token);
  const embedded = await page.request.post(`${API_URL}/console/apps`, { maxRedirects: 0,
    form: { __RequestVerificationToken: embeddedToken, name: "Embedded", redirect_uris: "https://e.example/cb", client_type: "confidential", scopes: "events:read" } });
  if (embedded.status() !== 403 || (await appsOf(tenantB)).length) problems.push(`embedded registration: ${embedded.status()}`);
});

await axeWalks(browser, (page) => signIn(page, tenantA),
  [["axe-app-form", "/console/apps/new"], ["axe-apps", "/console/apps"], ["axe-app", () => `/console/apps/${appOfA?.id}`]], { width: 390, height: 844 });

await browser.close();
console.log(`developer: ${results.passed} passed, ${results.failed} failed`);
process.exit(results.failed === 0 ? 0 : 1);
