// Tenants for the isolation and secrets sections (a system that may reach 127.0.0.1, where
// upstream.mjs answers): N tenants, each with a random amount of everything a tenant owns, every
// name, path and payload carrying the tenant's marker, and distinctive secrets planted where the
// API takes or hands out one (shown once at creation, by design). Writes $RELIABILITY_OUT/tenants.json.
import { writeFileSync } from "node:fs";
import { call, tenantWithKey, marker, sleep, OUT, QUICK } from "./lib.mjs";

const UPSTREAM = `http://127.0.0.1:${process.env.UPSTREAM_PORT}`;
const TENANTS = Number(process.env.ISOLATION_TENANTS ?? (QUICK ? 3 : 5));
const between = (lo, hi) => lo + Math.floor(Math.random() * (hi - lo + 1));
const must = (what, response) => {
  if (response.status >= 300) throw new Error(`${what}: ${response.status} ${response.text.slice(0, 300)}`);
  return response.json;
};

const tenants = [];
for (let t = 0; t < TENANTS; t++) {
  const mark = marker(`relmark${t}x`);
  const tenant = { ...(await tenantWithKey(`Tenant ${mark}`)), marker: mark, secrets: [], counts: {} };
  const key = tenant.key;
  const plant = (secret) => { tenant.secrets.push(secret); return secret; };
  const count = (what) => (tenant.counts[what] = (tenant.counts[what] ?? 0) + 1);

  plant(must("api key", await call("POST", `/api/v1/tenants/${tenant.id}/api-keys`, { key })).key);
  for (let i = between(1, 3); i > 0; i--) {
    plant(must("webhook endpoint", await call("POST", "/api/v1/webhook-endpoints", { key, body: { url: `${UPSTREAM}/wh/${mark}/${i}`, event_types: ["*"], description: `${mark} endpoint ${i}` } })).secret);
    count("webhook endpoints");
  }
  plant(must("hook", await call("POST", "/api/v1/hooks", { key, body: { target_url: `${UPSTREAM}/hook/${mark}`, event_types: ["entity.updated"] } })).secret);
  count("hooks");
  plant(must("product callback", await call("PUT", "/api/v1/product-bridge/callback", { key, body: { url: `${UPSTREAM}/cb/${mark}` } })).secret);
  const apiSecret = plant(`sk_live_relplant_${mark}_${Math.random().toString(36).slice(2)}`);
  const connection = must("http connection", await call("POST", "/api/v1/connections", { key, body: {
    provider: "http", auth_kind: "api_key", display_name: `${mark} API`, credentials: { api_key: apiSecret },
    settings: { base_url: `${UPSTREAM}/api/${mark}`, health_check_path: "/me" } } }));
  const connectionId = connection.connection?.id ?? connection.id;
  count("connections");
  const sig = plant(`relsig${mark}${Math.random().toString(36).slice(2)}`);
  const teams = must("teams workflows connection", await call("POST", "/api/v1/connections", { key, body: {
    provider: "teams-workflows", display_name: `${mark} channel`,
    credentials: { api_key: `${UPSTREAM}/workflows/${mark}/triggers/manual/paths/invoke?api-version=1&sp=%2Ftriggers&sv=1.0&sig=${sig}` } } }));
  const teamsId = teams.connection?.id ?? teams.id;
  count("connections");
  for (let i = between(1, 2); i > 0; i--) {
    must("route", await call("POST", `/api/v1/connections/${connectionId}/routes`, { key, body: {
      name: `${mark} route ${i}`, event_types: ["invoice.paid"], action: "http.request", settings: { method: "POST", path: `/v1/${mark}`, body: { invoice: "{{ data.invoice_id }}" } } } }));
    count("routes");
  }
  must("teams route", await call("POST", `/api/v1/connections/${teamsId}/routes`, { key, body: { name: `${mark} card`, event_types: ["invoice.paid"], action: "teams.workflow_card", settings: {} } }));
  count("routes");
  must("schedule", await call("POST", "/api/v1/schedules", { key, body: {
    name: `${mark} poll`, connection_id: connectionId, cron: "0 2 * * *", time_zone: "UTC", job: { kind: "http_poll", config: { path: `/orders/${mark}`, items_path: "items", cursor_field: "updated_at", cursor_param: "updated_since" } } } }));
  count("schedules");
  const inboundSecret = plant(`relinbound_${mark}_${Math.random().toString(36).slice(2)}`);
  must("inbound source", await call("POST", "/api/v1/inbound-sources", { key, body: { name: `${mark} source`, verifier: { kind: "hmac", header: "X-Sig", algorithm: "sha256", encoding: "hex" }, secret: inboundSecret } }));
  count("inbound sources");
  for (let i = between(1, 2); i > 0; i--) {
    const email = `${mark}.${i}@example.com`;
    const token = plant(must("member", await call("POST", "/api/v1/members", { key, body: { email, role: "member" } })).invitation_token);
    count("members");
    // One member joins with a password, for the console's sign-in (the isolation section's pages).
    if (!tenant.member) {
      const password = plant(`relpw-${mark}-${Math.random().toString(36).slice(2)}`);
      must("accept invitation", await call("POST", "/api/v1/members/accept", { body: { invitation_token: token, password } }));
      tenant.member = { email, password };
    }
  }
  const app = must("app", await call("POST", "/api/v1/apps", { key, body: { name: `App ${mark}`.slice(0, 100), redirect_uris: [`https://app.example.com/${mark}`], scopes: ["events:read"], client_type: "confidential" } }));
  if (app.client_secret) plant(app.client_secret);
  count("apps");
  for (let i = between(2, 6); i > 0; i--) {
    must("event", await call("POST", "/api/v1/events", { key, body: { event_type: "invoice.paid", data: { invoice_id: `${mark}-${i}`, amount_cents: i, currency: "EUR" } } }));
    count("events");
  }
  must("product command", await call("POST", "/api/v1/product-commands", { key, body: { command: "entity.update", target: { type: "task", id: `${mark}-T1` }, data: { attributes: { status: "done" } } } }));
  count("product commands");
  tenant.connectionId = connectionId;
  tenants.push(tenant);
}

// Wait until every tenant has deliveries and connector calls to read (or 30 s).
for (let i = 0; i < 60; i++) {
  let ready = true;
  for (const t of tenants) {
    const deliveries = (await call("GET", "/api/v1/webhook-deliveries?limit=1", { key: t.key })).json?.data?.length ?? 0;
    const calls = (await call("GET", `/api/v1/connections/${t.connectionId}/calls?limit=1`, { key: t.key })).json?.data?.length ?? 0;
    if (!deliveries || !calls) ready = false;
  }
  if (ready) break;
  await sleep(500);
}
writeFileSync(`${OUT}/tenants.json`, JSON.stringify(tenants, null, 2));
console.log(`seeded ${tenants.length} tenants: ${tenants.map((t) => JSON.stringify(t.counts)).join(" ")}; ${tenants.reduce((n, t) => n + t.secrets.length, 0)} secrets planted`);
