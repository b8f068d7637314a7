// Tenant isolation, over the tenants seed.mjs made: every GET operation of /openapi/v1.json a tenant
// may call, with each tenant's key, first with its own ids (taken from its own lists) and then with
// every other tenant's ids; then the console's pages, in a session of each tenant (an embed link,
// docs/console.md). Passes when no answer carries another tenant's marker or ids (0 cross-tenant
// rows) and every read of another tenant's id answers 404. Writes every answer to
// $RELIABILITY_OUT/answers.jsonl for the secrets section.
import { readFileSync, writeFileSync, appendFileSync } from "node:fs";
import { operationsOf } from "../contract/request-generator.mjs";
import { API_URL, OUT, call, report } from "./lib.mjs";

const tenants = JSON.parse(readFileSync(`${OUT}/tenants.json`, "utf8"));
const spec = await (await fetch(`${API_URL}/openapi/v1.json`)).json();
const answersFile = `${OUT}/answers.jsonl`;
writeFileSync(answersFile, "");
const keepAnswer = (tenant, what, response) => appendFileSync(answersFile, JSON.stringify({ tenant: tenant.id, what, status: response.status, text: response.text }) + "\n");

const reads = operationsOf(spec).filter(([, method, op]) => method === "get" && op["x-access"] === "tenant_or_admin");
const paramsOf = (path) => [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
const listOf = (template) => reads.some(([p]) => p === template);

// The values a tenant can use for each parameter of a path: its own tenant id, or ids from the
// list at the path's prefix (the list is read with the tenant's key, page of up to 5).
async function bindings(tenant, path) {
  const params = paramsOf(path);
  let partial = [{ path, values: {} }];
  for (const param of params) {
    const next = [];
    for (const { path: p, values } of partial) {
      const prefix = p.slice(0, p.indexOf(`/{${param}}`));
      let ids = [];
      if (prefix === "/api/v1/tenants") ids = [tenant.id];
      else if (!prefix.includes("{") && listOf(prefix.replace(/\/\{[^}]+\}/g, "")) || !prefix.includes("{")) {
        const listed = (await call("GET", `${prefix}?limit=5`, { key: tenant.key })).json;
        ids = (listed?.data ?? []).map((row) => row.id ?? row.entity_id).filter(Boolean).slice(0, 3);
      }
      if (param === "entity_type") continue;
      for (const id of ids) next.push({ path: p.replace(`{${param}}`, id), values: { ...values, [param]: id } });
    }
    partial = next;
  }
  return partial.filter((b) => !b.path.includes("{")).map((b) => b.path);
}

// Each tenant's own paths, and everything that marks it: id, marker, ids found in its answers.
const own = new Map();
const marks = new Map(tenants.map((t) => [t.id, new Set([t.id, t.marker])]));
const idPattern = /"(?:id|[a-z_]+_id)":"([0-9a-f-]{36})"/g;
const skipped = [];
for (const tenant of tenants) {
  const paths = [];
  for (const [path] of reads) {
    if (!path.includes("{")) { paths.push({ template: path, path }); continue; }
    const bound = await bindings(tenant, path);
    if (!bound.length) skipped.push(`${path} (no ${tenant.marker} ids)`);
    for (const b of bound) paths.push({ template: path, path: b });
  }
  own.set(tenant.id, paths);
  for (const { path } of paths) {
    const response = await call("GET", path, { key: tenant.key });
    for (const m of response.text.matchAll(idPattern)) marks.get(tenant.id).add(m[1]);
  }
}
// An id any two tenants share (a provider id, a shared catalog entry) marks neither.
const all = [...marks.values()];
for (const set of all) for (const id of [...set]) if (all.filter((s) => s.has(id)).length > 1) all.forEach((s) => s.delete(id));

let cases = 0, passed = 0, rows = 0, foreignReads = 0;
const failures = [];
const leaksIn = (tenant, text) => tenants.filter((u) => u.id !== tenant.id).flatMap((u) => [...marks.get(u.id)].filter((m) => text.includes(m)).map((m) => `${u.marker}:${m}`));
const ownMarkSeen = new Map();
function judge(tenant, what, response, expectStatus) {
  cases++;
  if (response.text.includes(tenant.marker)) ownMarkSeen.set(`${tenant.id} ${what.startsWith("console") ? "console" : "api"}`, true);
  keepAnswer(tenant, what, response);
  const leaked = leaksIn(tenant, response.text);
  let problem = null;
  if (response.status >= 500) problem = `${response.status}`;
  else if (leaked.length) problem = `another tenant's data: ${leaked.slice(0, 3).join(", ")}`;
  else if (expectStatus && !expectStatus.includes(response.status)) problem = `status ${response.status}, expected ${expectStatus.join(" or ")}`;
  if (problem) failures.push(`${tenant.marker} ${what}: ${problem}: ${response.text.slice(0, 160)}`); else passed++;
}

for (const tenant of tenants) {
  for (const { path } of own.get(tenant.id)) {
    const response = await call("GET", path, { key: tenant.key });
    rows += Array.isArray(response.json?.data) ? response.json.data.length : response.status === 200 ? 1 : 0;
    // Its own reads may be refused (409: a Jira route on an HTTP connection; 422: a required query
    // parameter), never answered 5xx or with another tenant's data.
    judge(tenant, `GET ${path}`, response, response.status < 500 && response.json?.error ? [response.status] : [200, 202]);
  }
  for (const other of tenants.filter((u) => u.id !== tenant.id)) {
    for (const { template, path } of own.get(other.id)) {
      if (!template.includes("{")) continue;
      foreignReads++;
      judge(tenant, `GET ${path} (${other.marker}'s)`, await call("GET", path, { key: tenant.key }), [404]);
    }
  }
}

// The console: a session of each tenant (embed link), its list pages and its detail pages, then the
// other tenants' detail pages.
const consoleLists = ["/console/", "/console/webhooks", "/console/connections", "/console/api-keys", "/console/members", "/console/event-types", "/console/installed-apps", "/console/notifications", "/console/apps"];
const consoleDetails = (tenant) => own.get(tenant.id).flatMap(({ template, path }) => {
  const id = path.split("/")[4];
  if (template === "/api/v1/webhook-endpoints/{id}") return [`/console/webhooks/${id}`, `/console/webhooks/${id}/edit`];
  if (template === "/api/v1/connections/{id}") return [`/console/connections/${id}`];
  if (template === "/api/v1/apps/{id}") return [`/console/apps/${id}`];
  return [];
});
const cookiesOf = (response) => response.headers.getSetCookie().map((c) => c.split(";")[0]);
// A member's session, signed in through the console's form (the pages an embedded session may not
// open, API keys and apps, included).
async function memberSession(tenant) {
  const form = await fetch(`${API_URL}/console/sign-in`, { redirect: "manual" });
  const html = await form.text();
  const [, field, token] = html.match(/<input type="hidden" name="([^"]*RequestVerificationToken[^"]*)" value="([^"]*)">/) ?? [];
  const body = new URLSearchParams({ [field]: token, return_to: "/console/webhooks", organisation: tenant.id, email: tenant.member.email, password: tenant.member.password });
  const signedIn = await fetch(`${API_URL}/console/sign-in`, { method: "POST", redirect: "manual", headers: { Cookie: cookiesOf(form).join("; "), "Content-Type": "application/x-www-form-urlencoded" }, body });
  if (signedIn.status !== 303) throw new Error(`${tenant.marker}: console sign-in answered ${signedIn.status}`);
  return [...cookiesOf(form), ...cookiesOf(signedIn)].join("; ");
}
// An embedded session (a link minted with the API key, docs/console.md).
async function embedSession(tenant) {
  const link = (await call("POST", "/api/v1/console-sessions", { key: tenant.key })).json.url;
  const opened = await fetch(new URL(new URL(link).pathname + new URL(link).search, API_URL), { redirect: "manual" });
  return cookiesOf(opened).join("; ");
}
const page = async (cookie, path) => {
  const response = await fetch(`${API_URL}${path}`, { headers: { Cookie: cookie }, redirect: "manual" });
  return { status: response.status, text: await response.text() };
};
let pages = 0;
for (const tenant of tenants) {
  for (const [kind, cookie] of [["member", await memberSession(tenant)], ["embedded", await embedSession(tenant)]]) {
    // A member opens every list page (200; /console/ redirects); an embedded session is refused API keys and apps (403).
    for (const path of [...consoleLists, ...consoleDetails(tenant)]) { pages++; judge(tenant, `console (${kind}) ${path}`, await page(cookie, path), kind === "member" ? [200, 303] : [200, 303, 403]); }
    for (const other of tenants.filter((u) => u.id !== tenant.id)) {
      for (const path of consoleDetails(other)) { pages++; judge(tenant, `console (${kind}) ${path} (${other.marker}'s)`, await page(cookie, path), [404]); }
    }
  }
}

// The control: each tenant's own marker is found in its own API answers and console pages, so that
// 0 cross-tenant rows is not a search that cannot find anything.
for (const tenant of tenants) for (const where of ["api", "console"]) {
  cases++;
  if (ownMarkSeen.get(`${tenant.id} ${where}`)) passed++; else failures.push(`control: ${tenant.marker} never found in its own ${where} answers`);
}
for (const f of failures.slice(0, 30)) console.log(`FAIL ${f}`);
if (skipped.length) console.log(`not read with ids (the tenant has none): ${[...new Set(skipped.map((s) => s.split(" (")[0]))].join(", ")}`);
report("tenant isolation", {
  cases,
  passed,
  failed: cases - passed,
  figure: `${tenants.length} tenants, ${reads.length} GET operations, ${rows} own rows read, ${foreignReads} reads of other tenants' ids, ${pages} console pages; cross-tenant rows ${failures.filter((f) => f.includes("another tenant")).length}`,
});
process.exit(cases - passed ? 1 : 0);
