// Needs API_URL and API_KEY. Retries on 429 after Retry-After seconds; the Idempotency-Key makes any
// retry safe: a repeat returns the first result instead of publishing twice.
const { API_URL, API_KEY } = process.env;

async function publish(eventType, data, idempotencyKey) {
  for (;;) {
    const response = await fetch(`${API_URL}/api/v1/events`, {
      method: "POST",
      headers: { Authorization: `Bearer ${API_KEY}`, "Content-Type": "application/json", "Idempotency-Key": idempotencyKey },
      body: JSON.stringify({ event_type: eventType, data }),
    });
    if (response.status === 429) {
      await new Promise((resolve) => setTimeout(resolve, Number(response.headers.get("retry-after")) * 1000));
      continue;
    }
    const body = await response.json();
    if (response.status !== 202) throw new Error(`${body.error.code}: ${body.error.message}`);
    return { ...body, replayed: response.headers.get("idempotent-replayed") === "true" };
  }
}

const data = { invoice_id: "in_1Qx8", amount_cents: 990, currency: "EUR" };
const first = await publish("invoice.paid", data, "invoice-in_1Qx8-paid");
const again = await publish("invoice.paid", data, "invoice-in_1Qx8-paid");
console.log(first.id, again.id === first.id ? "replayed" : "DUPLICATE", again.replayed);
if (again.id !== first.id || !again.replayed) process.exit(1);
