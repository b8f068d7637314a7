// SSRF through the back door, on the system whose tenants may reach 127.0.0.1 (their far end is
// there): a receiver that answers every call with a redirect (302, 307, 308) to a canary on
// 127.0.0.1 or to the metadata address, used as a webhook endpoint, a REST hook, the product
// bridge's callback and the generic HTTP connection's API (health check and route calls); and route
// and schedule paths that try to leave the connection's base URL (absolute URLs, //host, @host,
// backslashes). The redirector must be called (the traffic happened) and the canary never (0 hits):
// redirects are not followed and paths stay below the base URL.
import { createServer } from "node:http";
import { call, tenantWithKey, report, sleep, QUICK } from "./lib.mjs";

const canaryHits = [];
const canary = createServer((request, response) => { canaryHits.push(`${request.method} ${request.url}`); response.writeHead(200).end("{}"); });
await new Promise((resolve) => canary.listen(0, "127.0.0.1", resolve));
const C = canary.address().port;
let redirected = 0;
const codes = [302, 307, 308];
const redirector = createServer((request, response) => {
  request.resume();
  redirected++;
  const to = redirected % 4 === 0 ? "http://169.254.169.254/latest/meta-data/" : `http://127.0.0.1:${C}/redirected${request.url}`;
  response.writeHead(codes[redirected % 3], { Location: to }).end();
});
await new Promise((resolve) => redirector.listen(0, "127.0.0.1", resolve));
const R = `http://127.0.0.1:${redirector.address().port}`;
const UPSTREAM = `http://127.0.0.1:${process.env.UPSTREAM_PORT}`;

const tenant = await tenantWithKey("SSRF redirects");
const key = tenant.key;
let cases = 0, passed = 0;
const failures = [];
const expect = (what, ok, detail = "") => { cases++; if (ok) passed++; else failures.push(`${what} ${detail}`); };

const endpoint = await call("POST", "/api/v1/webhook-endpoints", { key, body: { url: `${R}/wh`, event_types: ["*"] } });
expect("webhook endpoint on the redirector accepted", endpoint.status === 201, endpoint.text.slice(0, 200));
const hook = await call("POST", "/api/v1/hooks", { key, body: { target_url: `${R}/hook`, event_types: ["invoice.paid"] } });
expect("REST hook on the redirector answered without 5xx", hook.status < 500, hook.text.slice(0, 200));
const callback = await call("PUT", "/api/v1/product-bridge/callback", { key, body: { url: `${R}/cb` } });
expect("product callback on the redirector accepted", callback.status < 300, callback.text.slice(0, 200));
const viaRedirect = await call("POST", "/api/v1/connections", { key, body: { provider: "http", auth_kind: "api_key", display_name: "redirect", credentials: { api_key: "k" }, settings: { base_url: `${R}/api` } } });
expect("a connection whose health check redirects is refused", viaRedirect.status === 422, viaRedirect.text.slice(0, 200));

const connection = await call("POST", "/api/v1/connections", { key, body: { provider: "http", auth_kind: "api_key", display_name: "paths", credentials: { api_key: "k" }, settings: { base_url: `${UPSTREAM}/api` } } });
const connectionId = connection.json?.connection?.id ?? connection.json?.id;
expect("connection on the upstream", !!connectionId, connection.text.slice(0, 200));
const escapes = [`http://127.0.0.1:${C}/x`, `//127.0.0.1:${C}/x`, `/..//127.0.0.1:${C}/x`, `@127.0.0.1:${C}/x`, `\\\\127.0.0.1:${C}\\x`, `/%2F%2F127.0.0.1:${C}/x`,
  `/x?u=http://127.0.0.1:${C}/`, `http://169.254.169.254/latest/meta-data/`, `:${C}/x`, `/..%2F..%2F`];
let routesAccepted = 0, schedulesAccepted = 0;
for (const path of escapes) {
  const route = await call("POST", `/api/v1/connections/${connectionId}/routes`, { key, body: { name: `escape ${path}`.slice(0, 100), event_types: ["invoice.paid"], action: "http.request", settings: { method: "POST", path, body: {} } } });
  expect(`route path ${path}`, route.status < 500, `${route.status} ${route.text.slice(0, 150)}`);
  if (route.status === 201) routesAccepted++;
  const schedule = await call("POST", "/api/v1/schedules", { key, body: { name: `escape ${path}`.slice(0, 100), connection_id: connectionId, cron: "0 2 * * *", time_zone: "UTC", job: { kind: "http_poll", config: { path, items_path: "items", cursor_field: "updated_at", cursor_param: "since" } } } });
  expect(`schedule path ${path}`, schedule.status < 500, `${schedule.status} ${schedule.text.slice(0, 150)}`);
  if (schedule.status === 201) { schedulesAccepted++; await call("POST", `/api/v1/schedules/${schedule.json.id}/run`, { key }); }
}
for (let i = 0; i < 3; i++) await call("POST", "/api/v1/events", { key, body: { event_type: "invoice.paid", data: { invoice_id: `redirect_${i}`, amount_cents: 1, currency: "EUR" } } });
await call("POST", "/api/v1/product-commands", { key, body: { command: "entity.update", target: { type: "task", id: "T-1" }, data: { attributes: { status: "done" } } } });
await sleep(QUICK ? 5000 : 10000);
canary.close();
redirector.close();

expect("the redirector was called (the traffic happened)", redirected > 0, `${redirected} calls`);
expect("the canary behind the redirects and paths was never reached", canaryHits.length === 0, canaryHits.slice(0, 5).join(", "));
for (const f of failures) console.log(`FAIL ${f}`);
report("SSRF redirects and paths", {
  cases,
  passed,
  failed: cases - passed,
  figure: `${redirected} calls answered 3xx to 127.0.0.1 / 169.254.169.254; ${escapes.length} escaping paths (routes accepted ${routesAccepted}, schedules ${schedulesAccepted}); canary hits ${canaryHits.length}`,
});
process.exit(cases - passed ? 1 : 0);
