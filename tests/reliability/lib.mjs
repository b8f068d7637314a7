// Shared by the reliability sections: API calls against the running system (API_URL, ADMIN_KEY from
// tests/contract/system.sh), tenants with a key, and the one result line each section prints:
//   ROW|section|cases|passed|failed|figure     (run.sh makes the table from these)
//   section: N passed, N failed                (the totals test.sh adds up)
export const { API_URL, ADMIN_KEY } = process.env;
export const QUICK = process.env.RELIABILITY_QUICK === "1";
export const OUT = process.env.RELIABILITY_OUT ?? ".";

export async function call(method, path, { key, body, headers = {}, raw } = {}) {
  const response = await fetch(`${API_URL}${path}`, {
    method,
    redirect: "manual",
    headers: {
      ...(key ? { Authorization: `Bearer ${key}` } : {}),
      ...(body !== undefined || raw !== undefined ? { "Content-Type": "application/json" } : {}),
      ...headers,
    },
    body: raw !== undefined ? raw : body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let json;
  try { json = text ? JSON.parse(text) : undefined; } catch { json = undefined; }
  return { status: response.status, headers: response.headers, text, json };
}

export async function tenantWithKey(name) {
  const tenant = (await call("POST", "/api/v1/tenants", { key: ADMIN_KEY, body: { name, plan: "enterprise" } })).json;
  const key = (await call("POST", `/api/v1/tenants/${tenant.id}/api-keys`, { key: ADMIN_KEY })).json.key;
  return { id: tenant.id, name, key };
}

/** The API's one error format (docs/api/conventions.md#errors): {"error": {"code", "message", "details"?}}. */
export function isErrorFormat(json) {
  return !!json && typeof json.error === "object" && json.error !== null
    && typeof json.error.code === "string" && json.error.code.length > 0 && typeof json.error.message === "string";
}

export function report(section, { cases, passed, failed, figure }) {
  console.log(`ROW|${section}|${cases}|${passed}|${failed}|${figure}`);
  console.log(`${section}: ${passed} passed, ${failed} failed`);
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
export const marker = (prefix) => `${prefix}${Math.random().toString(36).slice(2, 10)}${Date.now().toString(36)}`;
