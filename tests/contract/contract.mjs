// Property-based contract test: drives the running API through its own OpenAPI document. For every
// operation, fast-check generates requests (valid and invalid parameters, bodies and ids) and every
// response must be documented for that operation, match the documented schema (ajv, JSON Schema
// 2020-12) and carry X-Request-Id; any 5xx fails. Prints "contract: N passed, N failed" (one per operation).
import fc from "fast-check";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { requestGenerator } from "./request-generator.mjs";

const { API_URL, ADMIN_KEY } = process.env;
const RUNS = Number(process.env.CONTRACT_RUNS ?? 30);

const spec = await (await fetch(`${API_URL}/openapi/v1.json`)).json();
const ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false });
addFormats(ajv);
for (const format of ["int32", "int64", "double", "float"]) ajv.addFormat(format, true);
ajv.addSchema(spec, "openapi.json");

const call = async (method, path, { key, body, headers = {} } = {}) => {
  const response = await fetch(`${API_URL}${path}`, {
    method,
    headers: { ...(key ? { Authorization: `Bearer ${key}` } : {}), ...(body !== undefined ? { "Content-Type": "application/json" } : {}), ...headers },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let json;
  try { json = text ? JSON.parse(text) : undefined; } catch { json = undefined; }
  return { status: response.status, headers: response.headers, text, json };
};

// Fixtures: an enterprise tenant (the largest quota) with a few events and a second key.
const tenant = (await call("POST", "/api/v1/tenants", { key: ADMIN_KEY, body: { name: "Contract", plan: "enterprise" } })).json;
const tenantKey = (await call("POST", `/api/v1/tenants/${tenant.id}/api-keys`, { key: ADMIN_KEY })).json.key;
const secondKey = (await call("POST", `/api/v1/tenants/${tenant.id}/api-keys`, { key: ADMIN_KEY })).json;
const eventIds = [];
for (const [type, data] of [["invoice.paid", { invoice_id: "in_1", amount_cents: 1, currency: "EUR" }], ["user.joined", { user_id: "u_1" }]]) {
  eventIds.push((await call("POST", "/api/v1/events", { key: tenantKey, body: { event_type: type, data } })).json.id);
}
const listed = (await call("GET", "/api/v1/events?limit=1", { key: tenantKey })).json;
const realCursor = listed.next_cursor;

const requestFor = requestGenerator(fc, {
  tenantId: tenant.id,
  cursor: realCursor,
  knownIds: (name, path) => name === "id" ? (path.startsWith("/api/v1/tenants") ? [tenant.id] : path.startsWith("/api/v1/events") ? eventIds : undefined)
    : name === "keyId" ? [secondKey.id] : undefined,
});

function check(operation, method, path, response) {
  const documented = operation.responses[String(response.status)] ?? operation.responses.default;
  if (response.status >= 500) return `${response.status} server error: ${response.text.slice(0, 300)}`;
  if (!documented) return `undocumented status ${response.status}: ${response.text.slice(0, 300)}`;
  if (!response.headers.get("x-request-id")) return "no X-Request-Id";
  const schema = documented.content?.["application/json"]?.schema;
  if (schema && response.status !== 204) {
    if (response.json === undefined) return `${response.status} body is not JSON: ${response.text.slice(0, 200)}`;
    const pointer = `openapi.json#/paths/${path.replaceAll("~", "~0").replaceAll("/", "~1")}/${method}/responses/${response.status in operation.responses ? response.status : "default"}/content/application~1json/schema`;
    const validate = ajv.getSchema(pointer) ?? ajv.compile({ $ref: pointer });
    if (!validate(response.json)) return `${response.status} body does not match the schema: ${ajv.errorsText(validate.errors)} in ${response.text.slice(0, 300)}`;
  }
  return null;
}

let passed = 0;
let failed = 0;
for (const [path, item] of Object.entries(spec.paths)) {
  for (const [method, operation] of Object.entries(item)) {
    if (!["get", "post", "put", "patch", "delete"].includes(method)) continue;
    const key = operation["x-access"] === "admin" ? ADMIN_KEY : tenantKey;
    let problem = null;
    try {
      await fc.assert(fc.asyncProperty(requestFor(path, method, operation), async (request) => {
        // Never revoke the key the test runs with; everything else may happen.
        const target = request.path + (request.query ? `?${request.query}` : "");
        const response = await call(method.toUpperCase(), target, {
          key,
          body: request.body,
          headers: request.idempotencyKey && method === "post" ? { "Idempotency-Key": request.idempotencyKey } : {},
        });
        const error = check(operation, method, path, response);
        if (error) throw new Error(`${method.toUpperCase()} ${target} body=${JSON.stringify(request.body)}: ${error}`);
      }), { numRuns: RUNS, endOnFailure: true });
    } catch (error) {
      problem = error.message.split("\n").slice(0, 12).join("\n");
    }
    if (problem) {
      failed++;
      console.log(`FAIL ${operation.operationId ?? `${method} ${path}`}\n${problem}\n`);
    } else {
      passed++;
      console.log(`ok   ${operation.operationId ?? `${method} ${path}`}`);
    }
  }
}
console.log(`contract: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
