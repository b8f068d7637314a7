// Browser tests of a connection's routes and calls in the console (docs/console.md#connections):
// a route made in the console (event types, a filter condition, the action's settings) sends only
// the events that pass to the provider's fake API; a call that failed there is replayed from its
// page; another tenant's connection and call through crafted URLs and forms; a form without the
// anti-forgery token; axe. run.sh sets Connectors__Retry__MaxAttempts=2 so a failing call is
// dead-lettered within seconds. Prints "routes: N passed, N failed".
import { createServer } from "node:http";
import { API_URL, api, axeWalks, launch, results, signIn, tenantWithMember, walk } from "./harness.mjs";

const KEY = `key-routes-${Date.now()}-5c2e8a`;
const browser = await launch();
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
// The provider's API: the health check answers the account; POST /invoices fails while `broken`, then answers 201.
const state = { broken: true, calls: [] };
const fakeApi = createServer((request, response) => {
  let body = "";
  request.on("data", (chunk) => (body += chunk));
  request.on("end", () => {
    if (request.headers.authorization !== `Bearer ${KEY}`) return response.writeHead(401).end();
    if (request.method === "GET") return response.writeHead(200, { "Content-Type": "application/json" }).end('{"id":"acme-routes","name":"Acme"}');
    state.calls.push({ path: request.url, body, status: state.broken ? 500 : 201 });
    response.writeHead(state.broken ? 500 : 201, { "Content-Type": "application/json" }).end(state.broken ? '{"error":"down for maintenance"}' : '{"ok":true}');
  });
});
await new Promise((resolve) => fakeApi.listen(0, "127.0.0.1", resolve));
const baseUrl = `http://127.0.0.1:${fakeApi.address().port}/api`;
const connect = async (tenant, name) => (await api("POST", "/api/v1/connections", { key: tenant.key, body: {
  provider: "http", auth_kind: "api_key", display_name: name, credentials: { api_key: KEY },
  settings: { base_url: baseUrl, health_check_path: "/me", account_id_path: "data.id" },
} })).body.connection;
const tenantA = await tenantWithMember(browser, "Routes A");
const tenantB = await tenantWithMember(browser, "Routes B");
const connectionOfA = await connect(tenantA, "Invoices API");
const connectionOfB = await connect(tenantB, "tenant-b-only connection");
const routesOf = async (tenant, connection) => (await api("GET", `/api/v1/connections/${connection.id}/routes`, { key: tenant.key })).body.data;
const callsOf = async (tenant, connection) => (await api("GET", `/api/v1/connections/${connection.id}/calls`, { key: tenant.key })).body.data;
const publish = (tenant, amount) => api("POST", "/api/v1/events", { key: tenant.key, body: { event_type: "invoice.paid",
  data: { invoice_id: `in_${amount}_${Date.now()}`, amount_cents: amount, currency: "EUR" } } });
let failedCall;

await walk(browser, "route-created-in-the-console-filters-events", async (page, problems) => {
  await signIn(page, tenantA);
  await page.goto(`${API_URL}/console/connections/${connectionOfA.id}`);
  await page.getByRole("link", { name: "New route" }).click();
  await page.getByLabel("Name (optional)", { exact: true }).fill("Large paid invoices");
  await page.getByLabel(/invoice\.paid/).check();
  await page.getByLabel(/^Settings/).fill("{not json");
  await page.getByRole("button", { name: "Create route" }).click();
  if (!(await page.locator("#error").textContent()).includes("must be JSON")) problems.push("no error for settings that are not JSON");
  if ((await page.getByLabel("Name (optional)", { exact: true }).inputValue()) !== "Large paid invoices") problems.push("the typed name was lost");
  if ((await routesOf(tenantA, connectionOfA)).length !== 0) problems.push("a refused form stored a route");
  await page.getByLabel(/^Settings/).fill('{"method": "POST", "path": "/invoices"}');
  await page.getByLabel("Path, e.g. data.amount_cents", { exact: true }).fill("data.amount_cents");
  await page.getByLabel("Operator", { exact: true }).selectOption("gte");
  await page.getByLabel("Value (JSON)", { exact: true }).fill("1000");
  await page.getByRole("button", { name: "Create route" }).click();
  await page.waitForLoadState();
  const row = await page.locator("#routes tbody").textContent();
  if (!row.includes("Large paid invoices") || !row.includes("data.amount_cents gte 1000") || !row.includes("http.request")) problems.push(`routes: ${row}`);
  const stored = await routesOf(tenantA, connectionOfA);
  if (stored.length !== 1 || stored[0].settings?.path !== "/invoices" || stored[0].filter?.[0]?.op !== "gte") problems.push(`stored: ${JSON.stringify(stored)}`);
  await publish(tenantA, 500);
  await publish(tenantA, 4200);
  for (let i = 0; i < 60 && !state.calls.length; i++) await sleep(500);
  await sleep(1500);
  const firsts = state.calls.filter((c) => JSON.parse(c.body || "{}").data?.amount_cents === 500);
  if (!state.calls.length || firsts.length) problems.push(`calls at the fake: ${JSON.stringify(state.calls.map((c) => c.body))}`);
});

await walk(browser, "failed-call-replayed", async (page, problems) => {
  for (let i = 0; i < 60; i++) {
    failedCall = (await callsOf(tenantA, connectionOfA)).find((c) => c.status === "failed");
    if (failedCall) break;
    await sleep(500);
  }
  if (!failedCall) return problems.push(`no dead-lettered call: ${JSON.stringify(await callsOf(tenantA, connectionOfA))}`);
  await signIn(page, tenantA);
  await page.goto(`${API_URL}/console/connections/${connectionOfA.id}`);
  await page.locator("#calls tbody tr a").first().click();
  if (!(await page.locator("#call-status").textContent()).includes("failed")) problems.push("the call page does not say failed");
  if (!(await page.locator("#attempts").textContent()).includes("500")) problems.push("the attempts do not show the 500");
  state.broken = false;
  const before = state.calls.length;
  await page.getByRole("button", { name: "Replay call" }).click();
  if (!(await page.locator("#replayed").textContent()).includes("queued again")) problems.push("no notice after the replay");
  let status;
  for (let i = 0; i < 60 && status !== "succeeded"; i++) {
    status = (await api("GET", `/api/v1/connections/${connectionOfA.id}/calls/${failedCall.id}`, { key: tenantA.key })).body.status;
    await sleep(500);
  }
  if (status !== "succeeded" || state.calls.length <= before) problems.push(`after the replay: ${status}, ${state.calls.length - before} more calls at the fake`);
  await page.reload();
  if (await page.getByRole("button", { name: "Replay call" }).count()) problems.push("a succeeded call still offers Replay");
});

await walk(browser, "routes-and-calls-tenant-isolation", async (page, problems) => {
  await signIn(page, tenantA);
  const form = await page.goto(`${API_URL}/console/connections/${connectionOfB.id}/routes/new`);
  if (form.status() !== 404 || (await form.text()).includes("tenant-b-only")) problems.push(`B's route form: ${form.status()}`);
  await page.goto(`${API_URL}/console/connections/${connectionOfA.id}/routes/new`);
  const token = await page.locator("input[name=__RequestVerificationToken]").first().inputValue();
  const crafted = await page.request.post(`${API_URL}/console/connections/${connectionOfB.id}/routes`, { maxRedirects: 0,
    form: { __RequestVerificationToken: token, event_types: "*", action: "http.request", settings: '{"method":"POST","path":"/stolen"}' } });
  if (crafted.status() !== 404) problems.push(`route on B's connection: ${crafted.status()}`);
  if ((await routesOf(tenantB, connectionOfB)).length !== 0) problems.push("a route was made on B's connection");
  const callOfA = failedCall?.id ?? connectionOfA.id;
  const replay = await page.request.post(`${API_URL}/console/connections/${connectionOfB.id}/calls/${callOfA}/replay`, { form: { __RequestVerificationToken: token }, maxRedirects: 0 });
  if (replay.status() !== 404) problems.push(`replay under B's connection: ${replay.status()}`);
  const forged = await page.request.post(`${API_URL}/console/connections/${connectionOfA.id}/routes`, { maxRedirects: 0,
    form: { event_types: "*", action: "http.request", settings: '{"method":"POST","path":"/forged"}' } });
  if (forged.status() !== 400 || (await routesOf(tenantA, connectionOfA)).some((r) => r.settings?.path === "/forged")) problems.push(`forged route: ${forged.status()}`);
});

await axeWalks(browser, (page) => signIn(page, tenantA), [["axe-route-form", `/console/connections/${connectionOfA.id}/routes/new`],
  ["axe-call", () => `/console/connections/${connectionOfA.id}/calls/${failedCall?.id}`]], { width: 390, height: 844 });

await browser.close();
fakeApi.close();
console.log(`routes: ${results.passed} passed, ${results.failed} failed`);
process.exit(results.failed === 0 ? 0 : 1);
