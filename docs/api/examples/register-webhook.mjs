// Needs API_URL and API_KEY; WEBHOOK_URL is your HTTPS receiver. The secret is in this response
// only (and from reveal-secret later): store it to verify signatures.
const { API_URL, API_KEY, WEBHOOK_URL = "https://hooks.example.com/integrations" } = process.env;

const response = await fetch(`${API_URL}/api/v1/webhook-endpoints`, {
  method: "POST",
  headers: { Authorization: `Bearer ${API_KEY}`, "Content-Type": "application/json", "Idempotency-Key": crypto.randomUUID() },
  body: JSON.stringify({ url: WEBHOOK_URL, event_types: ["invoice.paid", "invoice.failed"] }),
});
const endpoint = await response.json();
if (response.status !== 201) throw new Error(`${endpoint.error.code}: ${JSON.stringify(endpoint.error.details)}`);
console.log(endpoint.id, endpoint.status, endpoint.secret.startsWith("whsec_") ? "secret received" : "NO SECRET");
