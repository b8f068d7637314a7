// Needs API_URL and API_KEY. Up to 100 events in one request (e.g. a backfill): all are stored, in
// this order, or none is; an invalid one is named by its index (details[].field "events[2].data…").
// Retries on 429; the Idempotency-Key makes a retry of the whole batch safe.
const { API_URL, API_KEY } = process.env;

async function publishBatch(events, idempotencyKey) {
  for (;;) {
    const response = await fetch(`${API_URL}/api/v1/events/batch`, {
      method: "POST",
      headers: { Authorization: `Bearer ${API_KEY}`, "Content-Type": "application/json", "Idempotency-Key": idempotencyKey },
      body: JSON.stringify({ events }),
    });
    if (response.status === 429) {
      await new Promise((resolve) => setTimeout(resolve, Number(response.headers.get("retry-after")) * 1000));
      continue;
    }
    const body = await response.json();
    if (response.status !== 202) throw new Error(`${body.error.code}: ${JSON.stringify(body.error.details)}`);
    return body.data;
  }
}

const users = ["usr_201", "usr_202", "usr_203"].map((user_id) => ({ event_type: "user.joined", data: { user_id } }));
const accepted = await publishBatch(users, "import-users-part-1");
accepted.forEach((event, i) => console.log(event.id, event.event_type, users[i].data.user_id));

try {
  await publishBatch([...users, { event_type: "user.joined", data: {} }], "import-users-part-2");
  process.exit(1); // unreachable: the fourth event lacks user_id
} catch (error) {
  console.log(error.message); // validation_failed: [{"field":"events[3].data.user_id", …}]
  if (!error.message.includes("events[3].data")) process.exit(1);
}
