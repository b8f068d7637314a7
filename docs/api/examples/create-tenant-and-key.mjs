// Needs API_URL and ADMIN_KEY. Creates a tenant and an API key for it; prints the key (shown only once).
const { API_URL, ADMIN_KEY } = process.env;
const admin = { Authorization: `Bearer ${ADMIN_KEY}`, "Content-Type": "application/json" };

const tenantResponse = await fetch(`${API_URL}/api/v1/tenants`, {
  method: "POST",
  headers: { ...admin, "Idempotency-Key": crypto.randomUUID() },
  body: JSON.stringify({ name: "Acme", plan: "pro" }),
});
if (tenantResponse.status !== 201) throw new Error(`tenant: ${tenantResponse.status} ${await tenantResponse.text()}`);
const tenant = await tenantResponse.json();

const keyResponse = await fetch(`${API_URL}/api/v1/tenants/${tenant.id}/api-keys`, { method: "POST", headers: admin });
if (keyResponse.status !== 201) throw new Error(`api key: ${keyResponse.status} ${await keyResponse.text()}`);
const { key } = await keyResponse.json();

console.log(`TENANT_ID=${tenant.id}`);
console.log(`API_KEY=${key}`);
