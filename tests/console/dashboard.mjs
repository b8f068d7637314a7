// Browser tests of the operator dashboard's cross-tenant views (docs/console.md#operator-dashboard):
// dead letters per tenant worst first, a dead letter's attempts, replaying one and all of a tenant's,
// crafted URLs mixing tenants; the delivery charts (server-side SVG) and consumer lag; axe. Prints "dashboard: N passed, N failed". run.sh sets a 1 s retry
// schedule, so a failing receiver dead-letters a delivery within seconds.
import { createServer } from "node:http";
import { API_URL, api, axeWalks, launch, results, signInOperator, tenantWithKey, walk } from "./harness.mjs";

const browser = await launch();
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const stamp = Date.now();
// A receiver whose answer the test switches: 500 until the replay, then 200.
const answers = { status: 500 };
const receiver = createServer((request, response) => {
  request.resume();
  request.on("end", () => response.writeHead(answers.status, { "Content-Type": "text/plain" }).end(answers.status === 200 ? "ok" : "receiver down"));
});
await new Promise((resolve) => receiver.listen(0, "127.0.0.1", resolve));
const receiverUrl = `http://127.0.0.1:${receiver.address().port}`;

const worse = await tenantWithKey(`Dead Worse ${stamp}`);
const better = await tenantWithKey(`Dead Better ${stamp}`);
const testDeliveries = async (tenant, count) => {
  const endpoint = (await api("POST", "/api/v1/webhook-endpoints", { key: tenant.key, body: { url: `${receiverUrl}/${tenant.id}`, event_types: ["invoice.paid"] } })).body;
  const ids = [];
  for (let i = 0; i < count; i++) ids.push((await api("POST", `/api/v1/webhook-endpoints/${endpoint.id}/test`, { key: tenant.key, body: { event_type: "invoice.paid" } })).body.id);
  return ids;
};
const statusOf = async (tenant, id) => (await api("GET", `/api/v1/webhook-deliveries/${id}`, { key: tenant.key })).body.status;
const until = async (tenant, ids, status) => {
  for (let i = 0; i < 120; i++) {
    if ((await Promise.all(ids.map((id) => statusOf(tenant, id)))).every((s) => s === status)) return true;
    await sleep(250);
  }
  return false;
};
const ofWorse = await testDeliveries(worse, 3);
const ofBetter = await testDeliveries(better, 1);
const deadLettered = (await until(worse, ofWorse, "failed")) && (await until(better, ofBetter, "failed"));

await walk(browser, "dead-letters-worst-first-and-inspected", async (page, problems) => {
  if (!deadLettered) return problems.push("the deliveries were not dead-lettered");
  await signInOperator(page);
  await page.getByRole("link", { name: "Dead letters" }).click();
  const rows = await page.locator("#dead-letters tbody tr").allTextContents();
  const worseRow = rows.findIndex((r) => r.includes(worse.name));
  const betterRow = rows.findIndex((r) => r.includes(better.name));
  if (worseRow < 0 || betterRow <= worseRow) problems.push(`order: ${rows.join(" | ")}`);
  const cells = (await page.locator(`#dead-letters tr[data-tenant="${worse.id}"] td`).allTextContents()).map((c) => c.trim());
  if (cells[0] !== worse.name || cells[1] !== "3" || cells[2] !== "1") problems.push(`worse row: ${cells.join(" | ")}`);
  await page.getByRole("link", { name: worse.name }).click();
  if ((await page.locator("#tenant-dead-letters tbody tr").count()) !== 3) problems.push("the tenant's page does not list its 3 dead letters");
  await page.locator("#tenant-dead-letters tbody tr a").first().click();
  const attempt = await page.locator("#attempts tbody tr").first().textContent();
  if (!attempt.includes("500") || !attempt.includes("receiver down")) problems.push(`attempt: ${attempt}`);
});

await walk(browser, "dead-letters-replayed-one-then-all", async (page, problems) => {
  if (!deadLettered) return problems.push("the deliveries were not dead-lettered");
  answers.status = 200;
  await signInOperator(page);
  await page.goto(`${API_URL}/admin/dead-letters/${worse.id}/${ofWorse[0]}`);
  await page.getByRole("button", { name: "Replay" }).click();
  if (!(await page.locator("#replayed").textContent()).includes("1 delivery was queued again")) problems.push("no notice after replaying one");
  if (!(await until(worse, [ofWorse[0]], "succeeded"))) problems.push("the replayed delivery did not succeed");
  if ((await statusOf(worse, ofWorse[1])) !== "failed") problems.push("replaying one replayed another");
  await page.goto(`${API_URL}/admin/dead-letters`);
  page.once("dialog", (dialog) => dialog.accept());
  await page.getByRole("button", { name: `Replay all of ${worse.name}` }).click();
  if (!(await page.locator("#replayed").textContent()).includes("2 deliveries were queued again")) problems.push("no notice after replaying all");
  if (!(await until(worse, ofWorse, "succeeded"))) problems.push("the tenant's deliveries did not all succeed");
  if ((await statusOf(better, ofBetter[0])) !== "failed") problems.push("another tenant's dead letter was replayed");
  if ((await page.locator("#dead-letters tbody").textContent()).includes(worse.name) && (await page.reload(), await page.locator("#dead-letters tbody").textContent()).includes(worse.name))
    problems.push("the replayed tenant is still listed");
});

await walk(browser, "dead-letters-crafted-urls", async (page, problems) => {
  await signInOperator(page);
  // The other tenant's delivery under this tenant's path: not found, in a page and a crafted form.
  const crafted = await page.goto(`${API_URL}/admin/dead-letters/${worse.id}/${ofBetter[0]}`);
  if (crafted.status() !== 404) problems.push(`page of B's delivery under A: ${crafted.status()}`);
  await page.goto(`${API_URL}/admin/dead-letters`);
  const token = await page.locator("input[name=__RequestVerificationToken]").first().inputValue();
  const replay = await page.request.post(`${API_URL}/admin/dead-letters/${worse.id}/${ofBetter[0]}/replay`, { form: { __RequestVerificationToken: token }, maxRedirects: 0 });
  if (replay.status() !== 404) problems.push(`replay of B's delivery under A: ${replay.status()}`);
  const forged = await page.request.post(`${API_URL}/admin/dead-letters/${better.id}/replay`, { form: {}, maxRedirects: 0 });
  if (forged.status() !== 400) problems.push(`replay without the anti-forgery token: ${forged.status()}`);
  if ((await statusOf(better, ofBetter[0])) !== "failed") problems.push("a crafted or forged form replayed B's dead letter");
});

const attemptsIn = async (page) => (await page.locator("#delivery-stats tbody tr").evaluateAll((rows) =>
  rows.map((r) => Number(r.cells[1].textContent)))).reduce((a, b) => a + b, 0);

await walk(browser, "charts-and-consumer-lag", async (page, problems) => {
  await signInOperator(page);
  const response = await page.goto(`${API_URL}/admin?window=1h`);
  const csp = response.headers()["content-security-policy"] ?? "";
  if (csp.includes("unsafe-inline") || !csp.includes("script-src 'self'")) problems.push(`CSP: ${csp}`);
  for (const id of ["chart-success", "chart-latency"])
    if ((await page.locator(`svg#${id}[role=img]`).count()) !== 1) problems.push(`no ${id}`);
  if ((await page.locator("#delivery-stats tbody tr").count()) !== 12) problems.push("the last hour is not 12 buckets");
  if ((await attemptsIn(page)) < 8) problems.push(`attempts charted: ${await attemptsIn(page)}`);
  if ((await page.locator("svg#chart-success circle.point").count()) < 1) problems.push("no point on the success chart");
  await page.getByRole("link", { name: "Last 24 hours" }).click();
  if ((await page.locator("#delivery-stats tbody tr").count()) !== 24) problems.push("the last day is not 24 buckets");
  const groups = await page.locator("#consumer-lag tbody tr").evaluateAll((rows) => rows.map((r) => [r.dataset.group, r.cells[2].textContent.trim()]));
  for (const group of ["integrations.workers.events-dispatch", "integrations.workers.product-callbacks", "integrations.workers.inbound"])
    if (!groups.some(([g, lag]) => g === group && /^\d+$/.test(lag))) problems.push(`consumer lag of ${group}: ${JSON.stringify(groups)}`);
  // Retired by ADR 0029 (the dispatch writes the connector calls): a group nobody runs is not listed.
  if (groups.some(([g]) => g === "integrations.workers.connectors")) problems.push(`the retired connectors group is listed: ${JSON.stringify(groups)}`);
  // One tenant's charts count its own attempts only: one delivery, dead-lettered after two attempts.
  await page.goto(`${API_URL}/admin/tenants/${better.id}?window=1h`);
  if ((await attemptsIn(page)) !== 2) problems.push(`the tenant's charts count ${await attemptsIn(page)} attempts`);
  const refused = await page.goto(`${API_URL}/admin?window=7d`);
  if (refused.status() !== 422) problems.push(`window=7d: ${refused.status()}`);
});

await axeWalks(browser, (page) => signInOperator(page), [["axe-dashboard-charts", "/admin?window=1h"], ["axe-tenant-charts", `/admin/tenants/${better.id}`],
  ["axe-dead-letters", "/admin/dead-letters"], ["axe-dead-letters-tenant", `/admin/dead-letters/${better.id}`], ["axe-dead-letter", `/admin/dead-letters/${better.id}/${ofBetter[0]}`]]);

await browser.close();
receiver.close();
console.log(`dashboard: ${results.passed} passed, ${results.failed} failed`);
process.exit(results.failed === 0 ? 0 : 1);
