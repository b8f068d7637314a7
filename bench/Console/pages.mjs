// Seeds 10,000 deliveries of one endpoint through the API and times the console's and the
// dashboard's pages over HTTP (run.sh starts the system and sets API_URL, ADMIN_KEY and PSQL).
import { execSync } from "node:child_process";
import { createServer } from "node:http";

const { API_URL, ADMIN_KEY, PSQL } = process.env;
const DELIVERIES = 10_000;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const sql = (query) => execSync(`${PSQL} -c "${query}"`).toString().trim();

async function api(method, path, key, body) {
  const response = await fetch(`${API_URL}${path}`, { method, headers: { Authorization: `Bearer ${key}`, ...(body ? { "Content-Type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined });
  if (response.status >= 400) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return response.status === 204 ? null : response.json();
}

// The receiver: every tenth request fails (both attempts of a delivery land on the same tenth only by chance; enough fail).
let received = 0;
const receiver = createServer((request, response) => {
  request.resume();
  request.on("end", () => response.writeHead(++received % 10 === 0 ? 500 : 200).end("ok"));
});
await new Promise((resolve) => receiver.listen(0, "127.0.0.1", resolve));

const tenant = await api("POST", "/api/v1/tenants", ADMIN_KEY, { name: "Bench tenant", plan: "enterprise" });
const key = (await api("POST", `/api/v1/tenants/${tenant.id}/api-keys`, ADMIN_KEY)).key;
const endpoint = await api("POST", "/api/v1/webhook-endpoints", key, { url: `http://127.0.0.1:${receiver.address().port}/hooks`, event_types: ["*"], rate_limit_per_minute: 60000 });
const started = Date.now();
for (let batch = 0; batch < DELIVERIES / 100; batch++)
  await api("POST", "/api/v1/events/batch", key, { events: Array.from({ length: 100 }, (_, i) => ({ event_type: "invoice.paid",
    data: { invoice_id: `in_${batch}_${i}`, amount_cents: 100 * (i + 1), currency: "EUR" } })) });
let settled = 0;
for (let i = 0; i < 900; i++) {
  settled = Number(sql(`select count(*) from webhook_deliveries w where endpoint_id = '${endpoint.id}' and not exists (select 1 from webhook_delivery_queue q where q.delivery_id = w.id)`));
  const total = Number(sql(`select count(*) from webhook_deliveries where endpoint_id = '${endpoint.id}'`));
  if (total >= DELIVERIES && settled >= DELIVERIES) break;
  await sleep(1000);
}
const failed = Number(sql(`select count(*) from webhook_deliveries where endpoint_id = '${endpoint.id}' and failed_at is not null`));
console.log(`seeded ${settled} settled deliveries (${failed} dead-lettered) in ${Math.round((Date.now() - started) / 1000)} s`);

/** The cookie of a session, from the answer's Set-Cookie headers. */
const cookieOf = (response, name) => response.headers.getSetCookie().map((c) => c.split(";")[0]).filter((c) => c.startsWith(`${name}=`)).join("; ");
// The tenant's console through an embed link (one request, no password); the operator through the admin-key form.
const embed = await api("POST", "/api/v1/console-sessions", key);
const consoleCookie = cookieOf(await fetch(embed.url, { redirect: "manual" }), "__console");
const signInPage = await fetch(`${API_URL}/admin/sign-in`);
const antiforgery = cookieOf(signInPage, "__af");
const token = (await signInPage.text()).match(/name="__RequestVerificationToken" value="([^"]+)"/)[1];
const operator = await fetch(`${API_URL}/admin/sign-in`, { method: "POST", redirect: "manual", headers: { Cookie: antiforgery, "Content-Type": "application/x-www-form-urlencoded" },
  body: new URLSearchParams({ __RequestVerificationToken: token, admin_key: ADMIN_KEY }) });
const operatorCookie = cookieOf(operator, "__operator");
if (!consoleCookie || !operatorCookie) throw new Error(`no session: console ${!!consoleCookie}, operator ${!!operatorCookie} (${operator.status})`);

const get = async (path, cookie) => {
  const response = await fetch(`${API_URL}${path}`, { headers: { Cookie: cookie } });
  const body = await response.text();
  if (response.status !== 200) throw new Error(`${path}: ${response.status} ${body.slice(0, 200)}`);
  return body;
};
const self = `/console/webhooks/${endpoint.id}`;
// Ten pages down the log, following the cursor as the Older deliveries link does.
let deep = self;
for (let i = 0; i < 10; i++) deep = (await get(deep, consoleCookie)).match(/id="next-page" href="([^"]+)"/)?.[1].replaceAll("&amp;", "&") ?? deep;
const delivery = (await get(self, consoleCookie)).match(/href="(\/console\/webhooks\/[^"/]+\/deliveries\/[^"]+)"/)[1];
const pages = [
  ["/console/webhooks", consoleCookie], [self, consoleCookie], [`${self}?status=failed`, consoleCookie], [`${self}?event_type=invoice.paid&status=succeeded`, consoleCookie],
  [deep, consoleCookie], [delivery, consoleCookie], ["/admin", operatorCookie], ["/admin?window=1h", operatorCookie], ["/admin/dead-letters", operatorCookie],
  [`/admin/dead-letters/${tenant.id}`, operatorCookie], [`/admin/tenants/${tenant.id}`, operatorCookie],
];
const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
let worst = 0;
for (const [path, cookie] of pages) {
  for (let i = 0; i < 5; i++) await get(path, cookie);
  const times = [];
  for (let i = 0; i < 30; i++) {
    const t = performance.now();
    await get(path, cookie);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  worst = Math.max(worst, percentile(times, 0.95));
  const label = path.replace(endpoint.id, "{endpoint}").replace(tenant.id, "{tenant}").replace(/deliveries\/[0-9a-f-]+/, "deliveries/{delivery}").replace(/cursor=[^&]+/, "cursor=…(10th page)");
  console.log(`${label.padEnd(70)} median ${percentile(times, 0.5).toFixed(1).padStart(6)} ms   p95 ${percentile(times, 0.95).toFixed(1).padStart(6)} ms`);
}
console.log(`slowest p95: ${worst.toFixed(1)} ms (budget 300 ms)`);
receiver.close();
process.exit(worst < 300 ? 0 : 1);
