// Browser tests of the operator dashboard (/admin, ADR 0019 addendum, docs/console.md#operator-dashboard)
// in headless Debian Chromium: the admin-key sign-in, integration health across tenants, the app
// review queue, and the wall between the operator's and the tenants' sessions. Prints
// "operator: N passed, N failed".
import { ADMIN_KEY, API_URL, api, axeViolations, launch, results, signIn, signInOperator, startSink, tenantWithKey, tenantWithMember, walk } from "./harness.mjs";

const browser = await launch();
const sink = await startSink();
const stamp = Date.now();
const north = await tenantWithKey(`Operator North ${stamp}`);
const south = await tenantWithMember(browser, `Operator South ${stamp}`);
for (const tenant of [north, south])
  await api("POST", "/api/v1/webhook-endpoints", { key: tenant.key, body: { url: `${sink.url}/${tenant.id}`, event_types: ["invoice.paid"] } });
const appBody = (name) => ({
  name, description: "Copies paid invoices to your accounting system.", homepage_url: "https://invoicesync.example",
  redirect_uris: ["https://invoicesync.example/callback"], scopes: ["events:read"], client_type: "confidential", category: "accounting",
});
const submitted = async (name) => {
  const app = (await api("POST", "/api/v1/apps", { key: north.key, body: appBody(name) })).body.app;
  const answer = await api("POST", `/api/v1/apps/${app.id}/submit`, { key: north.key });
  if (answer.status !== 200) throw new Error(`submit: ${answer.status} ${JSON.stringify(answer.body)}`);
  return app;
};
const toApprove = await submitted(`Ledger Bridge ${stamp}`);
const toReject = await submitted(`Shady Sync ${stamp}`);

await walk(browser, "operator-sees-tenants", async (page, problems) => {
  await signInOperator(page);
  if (!page.url().endsWith("/admin")) problems.push(`after sign-in at ${page.url()}`);
  const rows = await page.locator("#tenants tbody tr").allTextContents();
  for (const tenant of [north, south])
    if (!rows.some((r) => r.includes(tenant.name))) problems.push(`no row of ${tenant.name}`);
  if (!(await page.locator("#projections").isVisible())) problems.push("no projection lag");
  await page.getByRole("link", { name: south.name }).click();
  if ((await page.locator("#tenant-name").textContent()) !== south.name) problems.push("drill-down shows another tenant");
  if ((await page.locator("#tenant-endpoints tbody tr").count()) !== 1) problems.push("drill-down does not list the tenant's one endpoint");
});

await walk(browser, "approve-and-reject-apps", async (page, problems) => {
  await signInOperator(page);
  await page.getByRole("link", { name: "App review" }).click();
  await page.getByRole("button", { name: `Approve ${toApprove.name}` }).click();
  await page.locator("#notice").waitFor();
  if ((await page.locator(`[data-app="${toApprove.id}"]`).count()) !== 0) problems.push("the approved app is still queued");
  await page.locator(`#reason-${toReject.id}`).fill("The privacy policy link is missing.");
  await page.getByRole("button", { name: `Reject ${toReject.name}` }).click();
  await page.locator("#notice").waitFor();
  const rejected = (await api("GET", `/api/v1/apps/${toReject.id}`, { key: north.key })).body;
  if (rejected.review_status !== "rejected" || rejected.review_reason !== "The privacy policy link is missing.") problems.push(`rejected: ${JSON.stringify(rejected)}`);
  await page.goto(`${API_URL}/marketplace`);
  const listed = await page.content();
  if (!listed.includes(toApprove.name) || listed.includes(toReject.name)) problems.push("the marketplace does not show exactly the approved app");
});

await walk(browser, "wrong-admin-key-refused", async (page, problems, context) => {
  await signInOperator(page, `${ADMIN_KEY}x`);
  if (!(await page.locator("#error").textContent()).includes("not valid")) problems.push("no refusal");
  if ((await context.cookies()).some((c) => c.name === "__operator")) problems.push("a wrong key got an operator cookie");
  const dashboard = await page.goto(`${API_URL}/admin`);
  if (!page.url().includes("/admin/sign-in") || (await page.locator("#tenants").count()) !== 0) problems.push(`dashboard answered ${dashboard.status()}`);
  // A tenant's API key is not the admin key either.
  await signInOperator(page, north.key);
  if (!page.url().includes("/admin/sign-in")) problems.push("a tenant API key opened the dashboard");
});

await walk(browser, "sessions-do-not-cross", async (page, problems, context) => {
  await signIn(page, south);
  const member = (await context.cookies()).find((c) => c.name === "__console");
  await page.goto(`${API_URL}/admin`);
  if (!page.url().includes("/admin/sign-in")) problems.push(`the tenant session opened ${page.url()}`);
  await context.clearCookies();
  await signInOperator(page);
  const operator = (await context.cookies()).find((c) => c.name === "__operator");
  await page.goto(`${API_URL}/console/webhooks`);
  if (!page.url().includes("/console/sign-in")) problems.push(`the operator session opened ${page.url()}`);
  // Each ticket replayed under the other's name and path is refused: the schemes protect their tickets apart.
  await context.clearCookies();
  await context.addCookies([{ ...operator, name: "__console", path: "/console" }, { ...member, name: "__operator", path: "/admin" }]);
  await page.goto(`${API_URL}/console/webhooks`);
  if (!page.url().includes("/console/sign-in")) problems.push("the operator ticket opened the console");
  await page.goto(`${API_URL}/admin`);
  if (!page.url().includes("/admin/sign-in")) problems.push("a member ticket opened the dashboard");
  const pending = await submitted(`Forged ${stamp}`);
  const forged = await page.request.post(`${API_URL}/admin/apps/${pending.id}/approve`, { form: {}, maxRedirects: 0 });
  if (![302, 400, 401, 403].includes(forged.status())) problems.push(`approve with a member ticket: ${forged.status()}`);
  if ((await api("GET", `/api/v1/apps/${pending.id}`, { key: north.key })).body.review_status !== "pending") problems.push("the forged approval changed the app");
});

await walk(browser, "operator-form-without-antiforgery-refused", async (page, problems) => {
  const pending = await submitted(`No Token ${stamp}`);
  await signInOperator(page);
  const response = await page.request.post(`${API_URL}/admin/apps/${pending.id}/approve`, { form: {}, maxRedirects: 0 });
  if (response.status() !== 400 || !(await response.text()).includes("anti-forgery")) problems.push(`approve without token: ${response.status()}`);
  if ((await api("GET", `/api/v1/apps/${pending.id}`, { key: north.key })).body.review_status !== "pending") problems.push("the app changed");
});

for (const [name, path] of [["axe-operator-sign-in", null], ["axe-operator-dashboard", "/admin"], ["axe-operator-tenant", `/admin/tenants/${south.id}`],
  ["axe-operator-apps", "/admin/apps"]]) {
  await walk(browser, name, async (page, problems) => {
    if (path) await signInOperator(page);
    await page.goto(`${API_URL}${path ?? "/admin/sign-in"}`);
    const found = await axeViolations(page);
    if (found.length) problems.push(`axe: ${found.join(", ")}`);
  }, { bypassCSP: true });
}

await browser.close();
sink.close();
console.log(`operator: ${results.passed} passed, ${results.failed} failed`);
process.exit(results.failed === 0 ? 0 : 1);
