// Browser tests of the customer console (ADR 0019, docs/console.md) in headless Debian Chromium:
// what a member and an embedding product see and can do, and what nobody else can. Prints
// "console: N passed, N failed". run.sh starts the system with 4-second embed links.
import { API_URL, api, axeViolations, launch, results, signIn, startSink, tenantWithMember, walk } from "./harness.mjs";

const EMBED_SECONDS = Number(process.env.EMBED_LINK_SECONDS ?? 4);
const browser = await launch();
const sink = await startSink();
const failing = await startSink(500);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const tenantA = await tenantWithMember(browser, "Console A");
const tenantB = await tenantWithMember(browser, "Console B");
// Tenant B's endpoint, made through the API, with a marker no page of tenant A may show.
const secretOfB = (await api("POST", "/api/v1/webhook-endpoints", { key: tenantB.key, body: { url: `${sink.url}/tenant-b-only`, event_types: ["invoice.paid"] } })).body;
const deliveryOfB = (await api("POST", `/api/v1/webhook-endpoints/${secretOfB.id}/test`, { key: tenantB.key, body: { event_type: "invoice.paid" } })).body;
const embedLink = async (tenant) => (await api("POST", "/api/v1/console-sessions", { key: tenant.key })).body;
let endpointOfA;

await walk(browser, "sign-in-create-test-webhook", async (page, problems) => {
  await signIn(page, tenantA);
  if (!page.url().endsWith("/console/webhooks")) problems.push(`after sign-in at ${page.url()}`);
  await page.getByRole("link", { name: "New endpoint" }).click();
  await page.getByLabel("URL", { exact: true }).fill(`${sink.url}/from-console`);
  await page.getByLabel("Description (optional)", { exact: true }).fill("<b>planted</b> markup");
  await page.getByLabel(/invoice\.paid/).check();
  await page.getByRole("button", { name: "Create endpoint" }).click();
  await page.waitForLoadState();
  endpointOfA = page.url().split("/").pop();
  if ((await page.locator("#endpoint-url").textContent()) !== `${sink.url}/from-console`) problems.push("detail page does not show the URL");
  if ((await page.locator("b", { hasText: "planted" }).count()) !== 0) problems.push("description rendered as markup");
  if ((await page.locator("#secret").count()) !== 0) problems.push("secret shown without a reveal");
  await page.getByLabel("Event type", { exact: true }).selectOption("invoice.paid");
  await page.getByRole("button", { name: "Test webhook" }).click();
  await page.locator("#test-status-code").waitFor({ timeout: 20000 });
  const inline = await page.locator("#test-status-code").textContent();
  if (inline !== "200") problems.push(`inline result ${inline}`);
  await page.reload();
  const log = await page.locator("#deliveries tbody tr").first().textContent();
  if (!log.includes("200") || !log.includes("invoice.paid")) problems.push(`log row: ${log}`);
  if (!sink.received.some((r) => r.path === "/from-console")) problems.push("the sink received nothing");
  await page.locator("#deliveries tbody tr a").first().click();
  const attempt = await page.locator("#attempts tbody tr").first().textContent();
  if (!attempt.includes("200") || !attempt.includes(" ms")) problems.push(`attempt row: ${attempt}`);
});

await walk(browser, "reveal-and-rotate-secret", async (page, problems) => {
  await signIn(page, tenantA);
  await page.goto(`${API_URL}/console/webhooks/${endpointOfA}`);
  await page.getByRole("button", { name: "Reveal secret" }).click();
  const revealed = await page.locator("#secret").textContent();
  if (!revealed?.startsWith("whsec_")) problems.push(`revealed ${revealed}`);
  page.once("dialog", (dialog) => dialog.accept());
  await page.getByRole("button", { name: "Rotate secret" }).click();
  await page.locator("#overlap").waitFor();
  const rotated = await page.locator("#secret").textContent();
  if (!rotated?.startsWith("whsec_") || rotated === revealed) problems.push("rotation did not show a new secret");
});

await walk(browser, "embed-link-works-once", async (page, problems, context) => {
  const link = await embedLink(tenantA);
  if (!link.url?.includes("/console/embed?token=") || !link.expires_at) problems.push(`answer ${JSON.stringify(link)}`);
  await page.goto(link.url);
  if (!page.url().endsWith("/console/webhooks")) problems.push(`first open landed at ${page.url()}`);
  if (!(await page.locator("#endpoints").textContent()).includes("/from-console")) problems.push("tenant A's endpoint not listed");
  const second = await context.browser().newContext();
  const again = await (await second.newPage()).goto(link.url);
  const text = await again.text();
  if (again.status() !== 410 || !text.includes("already used")) problems.push(`second open: ${again.status()}`);
  await second.close();
});

await walk(browser, "embed-link-expires", async (page, problems) => {
  const link = await embedLink(tenantA);
  await new Promise((resolve) => setTimeout(resolve, (EMBED_SECONDS + 1) * 1000));
  const response = await page.goto(link.url);
  if (response.status() !== 410 || !(await page.locator("#error").textContent()).includes("expired")) problems.push(`expired link: ${response.status()}`);
  const list = await page.goto(`${API_URL}/console/webhooks`);
  if (!page.url().includes("/console/sign-in")) problems.push(`no session expected, got ${list.status()} at ${page.url()}`);
});

await walk(browser, "tenant-isolation", async (page, problems) => {
  await page.goto((await embedLink(tenantA)).url);
  const marker = "tenant-b-only";
  if ((await page.content()).includes(marker)) problems.push("tenant B's endpoint in tenant A's list");
  for (const path of [`/console/webhooks/${secretOfB.id}`, `/console/webhooks/${secretOfB.id}/deliveries/${deliveryOfB.id}`,
    `/console/webhooks/${endpointOfA}/deliveries/${deliveryOfB.id}`, `/console/webhooks/${secretOfB.id}/deliveries/${deliveryOfB.id}/outcome`]) {
    const response = await page.goto(`${API_URL}${path}`);
    const body = await response.text();
    if (response.status() !== 404 || body.includes(marker)) problems.push(`${path}: ${response.status()}`);
  }
  for (const action of ["reveal-secret", "rotate-secret", "disable", "delete", "test"]) {
    await page.goto(`${API_URL}/console/webhooks/${endpointOfA}`);
    // A crafted form: tenant A's own valid antiforgery token, tenant B's endpoint in the action.
    const token = await page.locator("input[name=__RequestVerificationToken]").first().inputValue();
    const response = await page.request.post(`${API_URL}/console/webhooks/${secretOfB.id}/${action}`,
      { form: { __RequestVerificationToken: token, event_type: "invoice.paid" }, maxRedirects: 0 });
    if (response.status() !== 404 || (await response.text()).includes("whsec_")) problems.push(`${action} on B: ${response.status()}`);
  }
  const stillThere = await api("GET", `/api/v1/webhook-endpoints/${secretOfB.id}`, { key: tenantB.key });
  if (stillThere.status !== 200 || stillThere.body.status !== "enabled") problems.push(`B's endpoint changed: ${JSON.stringify(stillThere.body)}`);
});

await walk(browser, "csp-and-frame-headers", async (page, problems) => {
  await signIn(page, tenantA);
  const response = await page.goto(`${API_URL}/console/webhooks/${endpointOfA}`);
  const csp = response.headers()["content-security-policy"] ?? "";
  if (!csp.includes("script-src 'self'") || csp.includes("unsafe-inline") || csp.includes("unsafe-eval")) problems.push(`CSP: ${csp}`);
  if (!csp.includes("frame-ancestors 'none'")) problems.push(`a member's page may be framed: ${csp}`);
  const embedded = await page.goto((await embedLink(tenantA)).url);
  const embedCsp = embedded.headers()["content-security-policy"] ?? "";
  if (embedCsp.includes("frame-ancestors 'none'") || embedCsp.includes("unsafe-inline")) problems.push(`embed CSP: ${embedCsp}`);
  const oauth = await page.request.get(`${API_URL}/api/v1/event-types`);
  if (oauth.status() !== 401) problems.push(`the console cookie opened the REST API: ${oauth.status()}`);
});

await walk(browser, "form-without-antiforgery-refused", async (page, problems) => {
  await signIn(page, tenantA);
  const before = (await api("GET", "/api/v1/webhook-endpoints", { key: tenantA.key })).body.data.length;
  const response = await page.request.post(`${API_URL}/console/webhooks`,
    { form: { url: `${sink.url}/forged`, event_types: "invoice.paid" }, maxRedirects: 0 });
  if (response.status() !== 400 || !(await response.text()).includes("anti-forgery")) problems.push(`forged create: ${response.status()}`);
  const deleted = await page.request.post(`${API_URL}/console/webhooks/${endpointOfA}/delete`, { form: {}, maxRedirects: 0 });
  if (deleted.status() !== 400) problems.push(`forged delete: ${deleted.status()}`);
  const after = (await api("GET", "/api/v1/webhook-endpoints", { key: tenantA.key })).body.data.length;
  if (after !== before) problems.push(`endpoints ${before} → ${after}`);
});

await walk(browser, "wrong-password", async (page, problems) => {
  await signIn(page, tenantA, "not the password at all");
  if (!(await page.locator("#error").textContent()).includes("not correct")) problems.push("no sign-in error");
  if (page.url().endsWith("/console/webhooks")) problems.push("signed in with a wrong password");
});

await walk(browser, "catalog-keys-notifications", async (page, problems) => {
  const spare = (await api("POST", `/api/v1/tenants/${tenantA.id}/api-keys`, { key: process.env.ADMIN_KEY })).body;
  const keyOfB = (await api("GET", `/api/v1/tenants/${tenantB.id}/api-keys`, { key: tenantB.key })).body.data[0];
  await signIn(page, tenantA);
  await page.getByRole("link", { name: "Event catalog" }).click();
  if (!(await page.locator("#type-invoice\\.paid").textContent()).includes("invoice.paid")) problems.push("catalog without invoice.paid");
  await page.getByRole("link", { name: /Notifications/ }).click();
  if ((await page.locator("#unread-count").textContent()) !== "0" || !(await page.locator("#no-notifications").isVisible())) problems.push("bell or empty state");
  await page.getByRole("link", { name: "API keys" }).click();
  const rows = await page.locator("#api-keys tbody tr").allTextContents();
  if (!rows.some((r) => r.includes(spare.prefix)) || rows.some((r) => r.includes(spare.key))) problems.push(`keys listed: ${rows}`);
  page.once("dialog", (dialog) => dialog.accept());
  await page.locator(`#revoke-${spare.id}`).click();
  await page.waitForLoadState();
  if ((await api("GET", "/api/v1/event-types", { key: spare.key })).status !== 401) problems.push("the revoked key still works");
  const token = await page.locator("input[name=__RequestVerificationToken]").first().inputValue();
  const crafted = await page.request.post(`${API_URL}/console/api-keys/${keyOfB.id}/revoke`, { form: { __RequestVerificationToken: token }, maxRedirects: 0 });
  if (crafted.status() !== 404) problems.push(`revoking tenant B's key: ${crafted.status()}`);
  if ((await api("GET", "/api/v1/event-types", { key: tenantB.key })).status !== 200) problems.push("tenant B's key was revoked");
});

await walk(browser, "edit-endpoint", async (page, problems) => {
  const stored = async () => (await api("GET", `/api/v1/webhook-endpoints/${endpointOfA}`, { key: tenantA.key })).body;
  await signIn(page, tenantA);
  await page.goto(`${API_URL}/console/webhooks/${endpointOfA}`);
  await page.getByRole("link", { name: "Edit endpoint" }).click();
  await page.getByLabel("URL", { exact: true }).fill("ftp://example.com/not-http");
  await page.getByRole("button", { name: "Save changes" }).click();
  await page.waitForLoadState();
  if (!(await page.locator("#error").isVisible())) problems.push("an ftp URL was accepted");
  if ((await stored()).url !== `${sink.url}/from-console`) problems.push("a refused edit changed the endpoint");
  await page.getByLabel("URL", { exact: true }).fill(`${sink.url}/from-console-edited`);
  await page.getByLabel("Description (optional)", { exact: true }).fill("edited in the console");
  await page.getByLabel(/entity\.created/).check();
  await page.getByLabel(/Rate limit/).fill("42");
  await page.getByRole("button", { name: "Save changes" }).click();
  await page.waitForLoadState();
  const after = await stored();
  if (after.url !== `${sink.url}/from-console-edited` || after.rate_limit_per_minute !== 42 || after.description !== "edited in the console"
    || !after.event_types.includes("entity.created") || !after.event_types.includes("invoice.paid")) problems.push(`stored: ${JSON.stringify(after)}`);
  if ((await page.locator("#rate-limit").textContent()) !== "42 per minute") problems.push("the page does not show the new rate limit");
});

await walk(browser, "failing-endpoint-retry-filter-recover", async (page, problems) => {
  const broken = (await api("POST", "/api/v1/webhook-endpoints", { key: tenantA.key, body: { url: `${failing.url}/broken`, event_types: ["invoice.paid"] } })).body;
  const self = `${API_URL}/console/webhooks/${broken.id}`;
  const today = new Date().toISOString().slice(0, 10);
  const yesterday = new Date(Date.now() - 86400000).toISOString().slice(0, 10);
  // Webhooks__RetrySchedule=1s (run.sh): two attempts, then the delivery is dead-lettered (failed).
  const deadLettered = async (path) => {
    for (let i = 0; i < 60; i++) {
      await page.goto(`${API_URL}${path}`);
      if ((await page.locator("#delivery-status").textContent()).includes("failed")) return true;
      await sleep(500);
    }
    return false;
  };
  const sinkGetsMore = async (count) => {
    for (let i = 0; i < 80 && failing.received.length <= count; i++) await sleep(250);
    return failing.received.length > count;
  };
  await signIn(page, tenantA);
  await page.goto(self);
  await page.locator("#test-event-type").selectOption("invoice.paid");
  await page.getByRole("button", { name: "Test webhook" }).click();
  await page.locator("#test-status-code").waitFor({ timeout: 20000 });
  if ((await page.locator("#test-status-code").textContent()) !== "500") problems.push("the inline result is not the receiver's 500");
  const delivery = await page.locator("#test-outcome a").getAttribute("href");
  if (!(await deadLettered(delivery))) return problems.push("the delivery never failed");
  const attempts = await page.locator("#attempts tbody tr").allTextContents();
  if (attempts.length < 2 || !attempts.every((a) => a.includes("500") && a.includes("receiver broken"))) problems.push(`attempts: ${attempts}`);
  let sent = failing.received.length;
  await page.getByRole("button", { name: "Retry delivery" }).click();
  await page.waitForLoadState();
  if (!(await sinkGetsMore(sent))) problems.push("the retry sent nothing");
  if (!(await deadLettered(delivery))) return problems.push("the retried delivery did not fail again");
  for (const [filters, expected] of [[{ status: "failed", type: "invoice.paid", from: today }, 1], [{ type: "entity.created" }, 0], [{ to: yesterday }, 0]]) {
    await page.goto(self);
    if (filters.status) await page.getByLabel("Status", { exact: true }).selectOption(filters.status);
    if (filters.type) await page.getByLabel("Type of event", { exact: true }).selectOption(filters.type);
    if (filters.from) await page.getByLabel("From (UTC)", { exact: true }).fill(filters.from);
    if (filters.to) await page.getByLabel("To (UTC)", { exact: true }).fill(filters.to);
    await page.getByRole("button", { name: "Filter" }).click();
    await page.waitForLoadState();
    const rows = await page.locator("#deliveries tbody tr").count();
    if (rows !== expected) problems.push(`filter ${JSON.stringify(filters)}: ${rows} rows`);
  }
  await page.goto(self);
  await page.getByLabel("Failed since (UTC date)", { exact: true }).fill(today);
  sent = failing.received.length;
  page.once("dialog", (dialog) => dialog.accept());
  await page.getByRole("button", { name: "Recover failed deliveries" }).click();
  await page.locator("#recovered").waitFor();
  const notice = await page.locator("#recovered").textContent();
  if (!notice.includes("1 failed delivery was queued again")) problems.push(`recover: ${notice}`);
  if (!(await sinkGetsMore(sent))) problems.push("the recovered delivery was not sent");
});

// axe-core in the page (the context bypasses the CSP only so that the test can inject it).
for (const [name, path, viewport] of [["axe-list", "/console/webhooks", { width: 1280, height: 800 }],
  ["axe-new", "/console/webhooks/new", { width: 390, height: 844 }], ["axe-detail", () => `/console/webhooks/${endpointOfA}`, { width: 390, height: 844 }],
  ["axe-catalog", "/console/event-types", { width: 1280, height: 800 }], ["axe-keys", "/console/api-keys", { width: 390, height: 844 }],
  ["axe-notifications", "/console/notifications", { width: 1280, height: 800 }], ["axe-edit", () => `/console/webhooks/${endpointOfA}/edit`, { width: 390, height: 844 }]]) {
  await walk(browser, name, async (page, problems) => {
    await signIn(page, tenantA);
    await page.goto(`${API_URL}${typeof path === "function" ? path() : path}`);
    const found = await axeViolations(page);
    if (found.length) problems.push(`axe: ${found.join(", ")}`);
  }, { bypassCSP: true, viewport });
}

await browser.close();
sink.close();
failing.close();
console.log(`console: ${results.passed} passed, ${results.failed} failed`);
process.exit(results.failed === 0 ? 0 : 1);
