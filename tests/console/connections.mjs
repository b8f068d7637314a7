// Browser tests of the console's connection pages (docs/console.md#connections): connect the generic
// http provider with an API key against a local fake API, Test now, reconnect, the audit log, routes and calls,
// delete; another tenant's connection through crafted URLs; no secret in any page; axe.
// The OAuth connect round trip goes through the fake provider run.sh starts (OAUTH_FAKE_URL).
// Prints "connections: N passed, N failed".
import { createServer } from "node:http";
import { API_URL, api, axeViolations, launch, results, signIn, tenantWithMember, walk } from "./harness.mjs";

const KEY = `key-console-${Date.now()}-4b1f9e`;
const KEY_OF_B = `key-tenant-b-${Date.now()}-77aa01`;
const browser = await launch();
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// The provider's API: a GET (the health check) answers the account of a known key; a POST (a route's call) is recorded.
const records = [];
const fakeApi = createServer((request, response) => {
  let body = "";
  request.on("data", (chunk) => (body += chunk));
  request.on("end", () => {
    const auth = request.headers.authorization ?? "";
    const account = auth === `Bearer ${KEY}` ? "acme-console" : auth === `Bearer ${KEY_OF_B}` ? "tenant-b-account" : null;
    if (!account) return response.writeHead(401, { "Content-Type": "application/json" }).end('{"error":"unauthorized"}');
    if (request.method === "GET") return response.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify({ id: account, name: "Acme Ltd" }));
    records.push({ path: request.url, body });
    response.writeHead(201, { "Content-Type": "application/json" }).end('{"ok":true}');
  });
});
await new Promise((resolve) => fakeApi.listen(0, "127.0.0.1", resolve));
const baseUrl = `http://127.0.0.1:${fakeApi.address().port}/api`;

const tenantA = await tenantWithMember(browser, "Connections A");
const tenantB = await tenantWithMember(browser, "Connections B");
const connectionOfB = (await api("POST", "/api/v1/connections", { key: tenantB.key, body: {
  provider: "http", auth_kind: "api_key", display_name: "tenant-b-only", credentials: { api_key: KEY_OF_B },
  settings: { base_url: baseUrl, health_check_path: "/me", account_id_path: "data.id", account_name_path: "data.name" },
} })).body;
let connectionOfA;
let callPage;
const pagesSeen = [];
const remember = async (page) => pagesSeen.push({ url: page.url(), html: await page.content() });

/** Fills the http provider's API-key form. */
async function connectForm(page, key) {
  const form = page.locator("#connect-http-api_key");
  await form.getByLabel("Name (optional)", { exact: true }).fill("Records API");
  await form.getByLabel("API key", { exact: true }).fill(key);
  await form.getByLabel("Base URL", { exact: true }).fill(baseUrl);
  await form.getByLabel("Health check path (optional, e.g. /me)", { exact: true }).fill("/me");
  await form.getByLabel("Account ID path (optional; data.<field> of its answer)", { exact: true }).fill("data.id");
  await form.getByLabel("Account name path (optional)", { exact: true }).fill("data.name");
  await form.getByRole("button", { name: /^Connect/ }).click();
  await page.waitForLoadState();
}

await walk(browser, "refused-key-stores-nothing", async (page, problems) => {
  await signIn(page, tenantA);
  await page.getByRole("link", { name: "Connections", exact: true }).click();
  if (!page.url().endsWith("/console/connections")) problems.push(`nav link went to ${page.url()}`);
  await connectForm(page, "key-wrong-000000");
  await remember(page);
  const error = (await page.locator("#error").textContent()) ?? "";
  if (!error.toLowerCase().includes("refused") && !error.toLowerCase().includes("credential")) problems.push(`error shown: ${error}`);
  if ((await page.locator("#http-api_key-base_url").inputValue()) !== baseUrl) problems.push("the base URL typed was not kept");
  if ((await page.locator("#http-api_key-api_key").inputValue()) !== "") problems.push("the refused key was written back into the form");
  const listed = (await api("GET", "/api/v1/connections", { key: tenantA.key })).body.data;
  if (listed.length !== 0) problems.push(`${listed.length} connections stored after a refusal`);
});

await walk(browser, "connect-api-key-test-now-audit-log", async (page, problems) => {
  await signIn(page, tenantA);
  await page.goto(`${API_URL}/console/connections`);
  await connectForm(page, KEY);
  connectionOfA = page.url().split("/").pop();
  await remember(page);
  if (!page.url().includes("/console/connections/")) problems.push(`after connect at ${page.url()}`);
  if (!(await page.locator("#status").textContent()).includes("connected")) problems.push(`status: ${await page.locator("#status").textContent()}`);
  if (!(await page.locator("#account").textContent()).includes("acme-console")) problems.push("account not shown");
  await page.getByRole("button", { name: "Test now" }).click();
  await page.locator("#test-result").waitFor();
  await remember(page);
  const result = await page.locator("#test-result").textContent();
  if (!result.includes("succeeded") || !result.includes("Acme Ltd")) problems.push(`test result: ${result}`);
  const audit = await page.locator("#audit-log tbody").textContent();
  for (const action of ["created", "connected"]) if (!audit.includes(action)) problems.push(`audit log lacks ${action}: ${audit}`);
  await page.goto(`${API_URL}/console/connections`);
  await remember(page);
  const row = await page.locator("#connections tbody tr").first().textContent();
  if (!row.includes("Records API") || !row.includes("connected") || !row.includes("Acme Ltd")) problems.push(`list row: ${row}`);
});

await walk(browser, "reconnect-verifies-the-new-key", async (page, problems) => {
  await signIn(page, tenantA);
  await page.goto(`${API_URL}/console/connections/${connectionOfA}`);
  await page.locator("#reconnect-form").getByLabel("API key", { exact: true }).fill("key-wrong-000000");
  await page.getByRole("button", { name: "Reconnect" }).click();
  await page.locator("#error").waitFor();
  await remember(page);
  if (!(await page.locator("#status").textContent()).includes("connected")) problems.push("a refused reconnect changed the status");
  await page.locator("#reconnect-form").getByLabel("API key", { exact: true }).fill(KEY);
  await page.getByRole("button", { name: "Reconnect" }).click();
  await page.waitForURL(new RegExp(`/console/connections/${connectionOfA}$`));
  await remember(page);
  if (!(await page.locator("#audit-log tbody").textContent()).includes("reconnected")) problems.push("no reconnected entry in the audit log");
});

await walk(browser, "routes-and-calls-with-attempts", async (page, problems) => {
  const route = await api("POST", `/api/v1/connections/${connectionOfA}/routes`, { key: tenantA.key, body: {
    name: "Paid invoices to records", event_types: ["invoice.paid"], action: "http.request", settings: { method: "POST", path: "/records" },
  } });
  if (route.status !== 201) problems.push(`route: ${route.status} ${JSON.stringify(route.body)}`);
  const sample = (await api("GET", "/api/v1/event-types", { key: tenantA.key })).body.data.find((t) => t.name === "invoice.paid").sample;
  const event = await api("POST", "/api/v1/events", { key: tenantA.key, body: { event_type: "invoice.paid", data: sample } });
  if (event.status !== 201 && event.status !== 202) problems.push(`event: ${event.status} ${JSON.stringify(event.body)}`);
  for (let i = 0; i < 60 && !records.length; i++) await sleep(500);
  await signIn(page, tenantA);
  await page.goto(`${API_URL}/console/connections/${connectionOfA}`);
  await remember(page);
  const routes = await page.locator("#routes tbody").textContent();
  if (!routes.includes("Paid invoices to records") || !routes.includes("invoice.paid") || !routes.includes("http.request")) problems.push(`routes: ${routes}`);
  if (!records.length) return problems.push("the fake API received no call");
  for (let i = 0; i < 20 && !(await page.locator("#calls tbody tr").count()); i++) { await sleep(500); await page.reload(); }
  await page.locator("#calls tbody tr a").first().click();
  await remember(page);
  callPage = new URL(page.url()).pathname;
  const attempt = await page.locator("#attempts tbody tr").first().textContent();
  if (!attempt.includes("201") || !attempt.includes(" ms") || !attempt.includes(records[0].path)) problems.push(`attempt row: ${attempt} (the fake got ${records[0].path})`);
});

// The OAuth round trip: the connect form, the provider (run.sh's fake, approving at once) and back.
await walk(browser, "oauth-connect-round-trip", async (page, problems) => {
  if (!process.env.OAUTH_FAKE_URL) return problems.push("the OAuth provider fake did not start (build tests/Fakes/OAuth2Provider)");
  await signIn(page, tenantA);
  await page.goto(`${API_URL}/console/connections`);
  const form = page.locator("#connect-generic-oauth2_code");
  await form.getByLabel("Name (optional)", { exact: true }).fill("Fake CRM");
  const provider = page.waitForRequest((request) => request.url().startsWith(`${process.env.OAUTH_FAKE_URL}/oauth/authorize`));
  await form.getByRole("button", { name: /^Connect/ }).click();
  await provider;
  const row = page.locator("#connections tbody tr", { hasText: "Fake CRM" });
  await row.waitFor();
  await page.waitForLoadState();
  await remember(page);
  const [status, account] = [await row.locator("td").nth(2).textContent(), (await row.locator("td").nth(3).textContent()).trim()];
  // The account is what the provider's health check answered with the token from the code exchange.
  if (status.trim() !== "connected" || account === "" || account === "—") problems.push(`after the round trip: ${status} / ${account}`);
});

await walk(browser, "tenant-isolation", async (page, problems) => {
  await signIn(page, tenantA);
  await page.goto(`${API_URL}/console/connections`);
  if ((await page.content()).includes("tenant-b-only")) problems.push("tenant B's connection in tenant A's list");
  for (const path of [`/console/connections/${connectionOfB.connection.id}`, `/console/connections/${connectionOfB.connection.id}/calls/${connectionOfB.connection.id}`]) {
    const response = await page.goto(`${API_URL}${path}`);
    const body = await response.text();
    if (response.status() !== 404 || body.includes("tenant-b-only") || body.includes("tenant-b-account")) problems.push(`${path}: ${response.status()}`);
  }
  for (const action of ["test", "reconnect", "delete"]) {
    await page.goto(`${API_URL}/console/connections/${connectionOfA}`);
    // A crafted form: tenant A's own valid antiforgery token, tenant B's connection in the action.
    const token = await page.locator("input[name=__RequestVerificationToken]").first().inputValue();
    const response = await page.request.post(`${API_URL}/console/connections/${connectionOfB.connection.id}/${action}`,
      { form: { __RequestVerificationToken: token, api_key: KEY }, maxRedirects: 0 });
    if (response.status() !== 404) problems.push(`${action} on B: ${response.status()}`);
  }
  const stillThere = await api("GET", `/api/v1/connections/${connectionOfB.connection.id}`, { key: tenantB.key });
  if (stillThere.status !== 200 || stillThere.body.status !== "connected") problems.push(`B's connection changed: ${JSON.stringify(stillThere.body)}`);
});

// axe-core in the page (the context bypasses the CSP only so that the test can inject it).
for (const [name, path, viewport] of [["axe-connections", () => "/console/connections", { width: 1280, height: 800 }],
  ["axe-connection", () => `/console/connections/${connectionOfA}`, { width: 390, height: 844 }],
  ["axe-call", () => callPage, { width: 390, height: 844 }]]) {
  await walk(browser, name, async (page, problems) => {
    await signIn(page, tenantA);
    await page.goto(`${API_URL}${path()}`);
    const found = await axeViolations(page);
    if (found.length) problems.push(`axe: ${found.join(", ")}`);
  }, { bypassCSP: true, viewport });
}

await walk(browser, "delete-keeps-audit-log", async (page, problems) => {
  await signIn(page, tenantA);
  await page.goto(`${API_URL}/console/connections/${connectionOfA}`);
  page.once("dialog", (dialog) => dialog.accept());
  await page.getByRole("button", { name: "Delete connection" }).click();
  await page.waitForURL(/\/console\/connections$/);
  await remember(page);
  if ((await page.content()).includes(connectionOfA)) problems.push("the deleted connection is still listed");
  const gone = await page.goto(`${API_URL}/console/connections/${connectionOfA}`);
  if (gone.status() !== 404) problems.push(`deleted connection page: ${gone.status()}`);
  const audit = await api("GET", `/api/v1/connections/${connectionOfA}/audit-log`, { key: tenantA.key });
  if (!audit.body?.data?.some((a) => a.action === "deleted")) problems.push(`audit log after delete: ${JSON.stringify(audit.body)}`);
});

// Every page this run opened: the API keys typed never come back in HTML.
await walk(browser, "no-secret-in-any-page", async (_page, problems) => {
  if (pagesSeen.length < 6) problems.push(`only ${pagesSeen.length} pages recorded`);
  for (const { url, html } of pagesSeen) {
    for (const secret of [KEY, KEY_OF_B, "key-wrong-000000"]) if (html.includes(secret)) problems.push(`${url} shows a key`);
  }
});

await browser.close();
fakeApi.close();
console.log(`connections: ${results.passed} passed, ${results.failed} failed`);
process.exit(results.failed === 0 ? 0 : 1);
