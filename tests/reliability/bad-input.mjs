// Bad input: every operation of /openapi/v1.json fuzzed from its schema (the contract suite's
// generator, tests/contract/request-generator.mjs) with a tenant's real API key (the admin key for
// admin-only operations) and without any key; then bombs: JSON nested 10,000 deep, bodies above the
// 512 KiB limit (declared and chunked), invalid UTF-8, header floods and oversized headers, odd URLs.
// Passes when no answer is 5xx and every 4xx the application answers is in the error format.
import fc from "fast-check";
import http from "node:http";
import { requestGenerator, operationsOf } from "../contract/request-generator.mjs";
import { API_URL, ADMIN_KEY, QUICK, call, tenantWithKey, isErrorFormat, report } from "./lib.mjs";

const AUTH_RUNS = Number(process.env.BAD_INPUT_RUNS ?? (QUICK ? 4 : 250));
const ANON_RUNS = Number(process.env.BAD_INPUT_ANON_RUNS ?? (QUICK ? 2 : 40));
const CONCURRENCY = 4;

const spec = await (await fetch(`${API_URL}/openapi/v1.json`)).json();
const tenant = await tenantWithKey("Bad input");
// Admin operations (PATCH a tenant, its keys) act on another tenant, so that they cannot lock out the key in use.
const victim = await tenantWithKey("Bad input, admin target");
const spareKey = (await call("POST", `/api/v1/tenants/${tenant.id}/api-keys`, { key: ADMIN_KEY })).json;

// Known ids, so that generated requests also reach the handlers of existing resources.
const known = {};
const keep = (prefix, response) => { if (response.json?.id) (known[prefix] ??= []).push(response.json.id); };
for (let i = 0; i < 3; i++) keep("/api/v1/events", await call("POST", "/api/v1/events", { key: tenant.key, body: { event_type: "invoice.paid", data: { invoice_id: `in_${i}`, amount_cents: i, currency: "EUR" } } }));
keep("/api/v1/webhook-endpoints", await call("POST", "/api/v1/webhook-endpoints", { key: tenant.key, body: { url: "https://93.184.215.14/bad-input", event_types: ["*"] } }));
keep("/api/v1/hooks", await call("POST", "/api/v1/hooks", { key: tenant.key, body: { target_url: "https://93.184.215.14/hook", event_types: ["entity.updated"] } }));
keep("/api/v1/inbound-sources", await call("POST", "/api/v1/inbound-sources", { key: tenant.key, body: { name: "Fuzz", verifier: { kind: "standard_webhooks" } } }));
keep("/api/v1/apps", await call("POST", "/api/v1/apps", { key: tenant.key, body: spec.paths["/api/v1/apps"].post.requestBody.content["application/json"].example }));
const member = (await call("POST", "/api/v1/members", { key: tenant.key, body: { email: "fuzz@example.com", role: "member" } })).json;
if (member?.member?.id) known["/api/v1/members"] = [member.member.id];
const cursor = (await call("GET", "/api/v1/events?limit=1", { key: tenant.key })).json?.next_cursor;

const knownIds = (forTenant) => (name, path) => {
  if (name === "keyId") return [spareKey.id];
  if (path.startsWith("/api/v1/tenants")) return [forTenant.id];
  const prefix = Object.keys(known).find((p) => path.startsWith(p + "/"));
  return prefix ? known[prefix] : undefined;
};
const tenantRequests = requestGenerator(fc, { tenantId: tenant.id, cursor, knownIds: knownIds(tenant), spec, schemaBodies: true });
const adminRequests = requestGenerator(fc, { tenantId: victim.id, cursor, knownIds: knownIds(victim), spec, schemaBodies: true });

let requests = 0;
let serverErrors = 0;
let badFormat = 0;
const problems = [];
const statuses = {};
let closedEarly = 0;
function judge(label, response) {
  requests++;
  statuses[response.status] = (statuses[response.status] ?? 0) + 1;
  let problem = null;
  if (response.status >= 500) { serverErrors++; problem = `${response.status}`; }
  else if (response.status >= 400 && !isErrorFormat(response.json)) { badFormat++; problem = `${response.status} not in the error format`; }
  if (problem && problems.length < 25) problems.push(`${label}: ${problem}: ${response.text.slice(0, 200)}`);
}

async function inParallel(items, worker) {
  let next = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => { while (next < items.length) await worker(items[next++]); }));
}

const seed = Number(process.env.BAD_INPUT_SEED ?? Date.now() % 1_000_000);
for (const [path, method, operation] of operationsOf(spec)) {
  const access = operation["x-access"];
  const key = access === "admin" ? ADMIN_KEY : access === "anonymous" ? undefined : tenant.key;
  const generate = access === "admin" ? adminRequests : tenantRequests;
  // Every other request without its query, so that the body and the path reach the handler instead
  // of stopping at a junk query parameter (400 invalid_parameter).
  const runs = [...fc.sample(generate(path, method, operation), { numRuns: AUTH_RUNS, seed }).map((r, i) => ({ ...r, query: i % 2 ? r.query : "", key })),
    ...(key ? fc.sample(generate(path, method, operation), { numRuns: ANON_RUNS, seed: seed + 1 }).map((r) => ({ ...r, key: undefined })) : [])];
  await inParallel(runs, async (request) => {
    const target = request.path + (request.query ? `?${request.query}` : "");
    let response;
    try {
      response = await call(method.toUpperCase(), target, {
        key: request.key,
        body: request.body,
        headers: request.idempotencyKey && method === "post" ? { "Idempotency-Key": request.idempotencyKey } : {},
      });
    } catch (error) {
      // A body over the limit may be cut off by the 413 (counted apart); any other broken connection fails.
      requests++;
      if (Buffer.byteLength(JSON.stringify(request.body) ?? "") > 512 * 1024) { closedEarly++; return; }
      serverErrors++;
      problems.push(`${method.toUpperCase()} ${target}: connection failed: ${error.cause?.code ?? error.message}`);
      return;
    }
    judge(`${method.toUpperCase()} ${target} ${request.key ? "key" : "no key"} body=${JSON.stringify(request.body)?.slice(0, 120)}`, response);
  });
}
const fuzzed = requests;

// Raw HTTP for what fetch will not send (hundreds of headers, invalid bytes in a header).
function rawRequest(method, path, headers, body) {
  return new Promise((resolve) => {
    const url = new URL(API_URL + path);
    const request = http.request({ host: url.hostname, port: url.port, method, path, headers }, (response) => {
      let text = "";
      response.setEncoding("latin1");
      response.on("data", (c) => (text += c));
      response.on("end", () => { let json; try { json = JSON.parse(text); } catch { } resolve({ status: response.statusCode, text, json }); });
    });
    request.on("error", (e) => resolve({ status: 0, text: `connection: ${e.message}`, json: undefined }));
    if (body) request.write(body);
    request.end();
  });
}

const bombs = { depth: 0, size: 0, utf8: 0, headers: 0, urls: 0 };
const bodyRoutes = ["/api/v1/events", "/api/v1/events/batch", "/api/v1/webhook-endpoints", "/api/v1/connections", "/api/v1/schedules", "/api/v1/inbound-sources"];
const key = { Authorization: `Bearer ${tenant.key}` };

for (const path of bodyRoutes) {
  for (const deep of ["[".repeat(10_000) + "]".repeat(10_000), '{"a":'.repeat(10_000) + "1" + "}".repeat(10_000),
    `{"event_type":"invoice.paid","data":${"[".repeat(5_000)}${"]".repeat(5_000)}}`]) {
    judge(`depth bomb ${path}`, await call("POST", path, { key: tenant.key, raw: deep })); bombs.depth++;
  }
  // The documented limits: 512 KiB, 1 MiB for the batch endpoint (docs/api/conventions.md).
  const limit = path === "/api/v1/events/batch" ? 1024 * 1024 : 512 * 1024;
  const big = JSON.stringify({ event_type: "invoice.paid", data: { blob: "x".repeat(limit + 64 * 1024) } });
  // Beyond the limit Kestrel may close the connection once the 413 is sent, while the body is still
  // being written: an answer that never arrives (status 0) is counted apart, not as a 5xx.
  for (const [label, body, chunked] of [["limit + 64 KiB", big, false], ["5 MiB", "[" + "1,".repeat(2_600_000) + "1]", false], ["limit + 64 KiB chunked", big, true]]) {
    const response = await rawRequest("POST", path, { ...key, "Content-Type": "application/json", ...(chunked ? { "Transfer-Encoding": "chunked" } : { "Content-Length": Buffer.byteLength(body) }) }, Buffer.from(body));
    bombs.size++;
    if (response.status === 0) { requests++; closedEarly++; continue; }
    judge(`size bomb ${label} ${path}`, response);
    if (response.status !== 413) { badFormat++; problems.push(`size bomb ${label} ${path}: ${response.status}, expected 413`); }
  }
  for (const bytes of [[0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d], [0x7b, 0x22, 0xc3, 0x28, 0x22, 0x3a, 0x31, 0x7d], [0xed, 0xa0, 0x80],
    [...Buffer.from('{"event_type":"invoice.paid","data":{"s":"'), 0xf8, 0x88, 0x80, 0x80, 0x80, ...Buffer.from('"}}')]]) {
    judge(`invalid UTF-8 ${path}`, await call("POST", path, { key: tenant.key, raw: Buffer.from(bytes) })); bombs.utf8++;
  }
  judge(`UTF-16 body ${path}`, await call("POST", path, { key: tenant.key, raw: Buffer.from('{"a":1}', "utf16le"), headers: { "Content-Type": "application/json; charset=utf-16" } })); bombs.utf8++;
}

// Header floods: the application's limits are Kestrel's (100 headers, 32 KiB in all); Kestrel answers
// 431 itself, before any application code, so these are judged on "no 5xx and refused" only.
const floods = [
  ["500 headers", Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`X-Flood-${i}`, "v"]))],
  ["1,000 headers", Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`X-Flood-${i}`, "v".repeat(20)]))],
  ["one 64 KiB header", { "X-Huge": "h".repeat(64 * 1024) }],
  ["a 40 KiB bearer token", { Authorization: `Bearer ${"k".repeat(40 * 1024)}` }],
  ["a 16 KiB Idempotency-Key", { Authorization: `Bearer ${tenant.key}`, "Idempotency-Key": "i".repeat(16 * 1024) }],
  ["non-ASCII Idempotency-Key", { Authorization: `Bearer ${tenant.key}`, "Idempotency-Key": Buffer.from([0xff, 0xfe, 0x41]).toString("latin1") }],
  ["non-ASCII bearer token", { Authorization: Buffer.from([0x42, 0x65, 0x61, 0x72, 0x65, 0x72, 0x20, 0xc3, 0xa9]).toString("latin1") }],
];
let kestrelRefusals = 0;
for (const [label, headers] of floods) {
  for (const [method, path] of [["GET", "/api/v1/events"], ["POST", "/api/v1/events"]]) {
    const response = await rawRequest(method, path, { ...headers, "Content-Type": "application/json" }, method === "POST" ? '{"event_type":"invoice.paid","data":{}}' : undefined);
    bombs.headers++;
    requests++;
    if (response.status >= 500 || response.status === 0) { serverErrors++; problems.push(`${label} ${method} ${path}: ${response.status} ${response.text.slice(0, 200)}`); }
    else if (response.status === 431 || (response.status === 400 && !response.text)) kestrelRefusals++;
    else if (response.status >= 400 && !isErrorFormat(response.json)) { badFormat++; problems.push(`${label}: ${response.status} not in the error format: ${response.text.slice(0, 200)}`); }
  }
}

for (const path of ["/api/v1/events/%zz", "/api/v1/events/%00", "/api/v1/events/..%2f..%2fetc%2fpasswd", `/api/v1/events?${"a=1&".repeat(5000)}`,
  `/api/v1/events?limit=${"9".repeat(400)}`, `/api/v1/events/${"a".repeat(70_000)}`, "/api/v1/events?cursor=%ff%fe", "/api/v1/webhook-endpoints/%E2%80%AE",
  "/api/v1/events?created_after=9999-99-99T99:99:99Z", "/api/v1/events?fields=" + "id,".repeat(2000)]) {
  const response = await rawRequest("GET", path, key);
  bombs.urls++;
  // Kestrel refuses a NUL in the path and a request line over its limit itself (an empty 400 / 414).
  if ((response.status === 414 || response.status === 400) && !response.text) { requests++; kestrelRefusals++; continue; }
  judge(`url ${path.slice(0, 80)}`, response);
}

// Races: the same request many times at once. Idempotent creates (docs/api/conventions.md#idempotency:
// "nothing is done twice, even when the repeats arrive concurrently") must answer one resource;
// concurrent updates, rotations and deletes of one resource must not answer 5xx.
let races = 0;
const racer = await tenantWithKey("Bad input, races");
const all = (n, f) => Promise.all(Array.from({ length: n }, (_, i) => f(i)));
const raceOne = async (label, n, f) => { const answers = await all(n, f); for (const a of answers) { races++; judge(`race ${label}`, a); } return answers; };
for (const [path, body] of [["/api/v1/events", { event_type: "invoice.paid", data: { invoice_id: "race", amount_cents: 1, currency: "EUR" } }],
  ["/api/v1/webhook-endpoints", { url: "https://93.184.215.14/race", event_types: ["*"] }], ["/api/v1/hooks", { target_url: "https://93.184.215.14/race", event_types: ["entity.updated"] }],
  ["/api/v1/inbound-sources", { name: "race", verifier: { kind: "standard_webhooks" } }], [`/api/v1/tenants/${racer.id}/api-keys`, undefined]]) {
  const answers = await raceOne(`idempotent ${path}`, 10, () => call("POST", path, { key: racer.key, body, headers: { "Idempotency-Key": `race-${path}` } }));
  const ids = new Set(answers.filter((a) => a.status < 300).map((a) => a.json?.id));
  if (ids.size !== 1) { badFormat++; problems.push(`race idempotent ${path}: ${ids.size} resources for one Idempotency-Key`); }
}
const raced = (await call("POST", "/api/v1/webhook-endpoints", { key: racer.key, body: { url: "https://93.184.215.14/race2", event_types: ["*"] } })).json;
await raceOne("PATCH endpoint", 10, (i) => call("PATCH", `/api/v1/webhook-endpoints/${raced.id}`, { key: racer.key, body: { description: `d${i}` } }));
await raceOne("rotate endpoint secret", 10, () => call("POST", `/api/v1/webhook-endpoints/${raced.id}/rotate-secret`, { key: racer.key }));
await raceOne("enable/disable endpoint", 10, (i) => call("POST", `/api/v1/webhook-endpoints/${raced.id}/${i % 2 ? "enable" : "disable"}`, { key: racer.key }));
await raceOne("delete endpoint", 10, () => call("DELETE", `/api/v1/webhook-endpoints/${raced.id}`, { key: racer.key }));
await raceOne("PUT product callback", 10, (i) => call("PUT", "/api/v1/product-bridge/callback", { key: racer.key, body: { url: `https://93.184.215.14/cb${i}` } }));
await raceOne("rotate callback secret", 10, () => call("POST", "/api/v1/product-bridge/callback/rotate-secret", { key: racer.key }));
await raceOne("delete product callback", 10, () => call("DELETE", "/api/v1/product-bridge/callback", { key: racer.key }));
await raceOne("invite one e-mail", 10, () => call("POST", "/api/v1/members", { key: racer.key, body: { email: "race@example.com", role: "member" } }));

for (const p of problems) console.log(`FAIL ${p}`);
const failed = serverErrors + badFormat;
console.log(`fuzzed ${fuzzed} requests over ${operationsOf(spec).length} operations (seed ${seed}); bombs: ${JSON.stringify(bombs)}; refused by Kestrel before the application: ${kestrelRefusals}; connection closed during an oversized body: ${closedEarly}; statuses ${JSON.stringify(statuses)}`);
report("bad input", {
  cases: requests,
  passed: requests - failed,
  failed,
  figure: `${fuzzed} fuzzed over ${operationsOf(spec).length} operations + ${requests - fuzzed - races} bombs (depth ${bombs.depth}, size ${bombs.size}, UTF-8 ${bombs.utf8}, headers ${bombs.headers}, URLs ${bombs.urls}) + ${races} racing; 5xx ${serverErrors}; 4xx not in the error format ${badFormat}`,
});
process.exit(failed ? 1 : 0);
