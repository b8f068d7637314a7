// Needs API_URL and API_KEY. Walks every page of invoice.paid events, oldest first, two at a time.
const { API_URL, API_KEY } = process.env;

async function* events(query) {
  let cursor = null;
  do {
    const params = new URLSearchParams({ ...query, ...(cursor ? { cursor } : {}) });
    const response = await fetch(`${API_URL}/api/v1/events?${params}`, { headers: { Authorization: `Bearer ${API_KEY}` } });
    const page = await response.json();
    if (!response.ok) throw new Error(`${page.error.code}: ${JSON.stringify(page.error.details)}`);
    yield* page.data;
    cursor = page.has_more ? page.next_cursor : null;
  } while (cursor);
}

let count = 0;
for await (const event of events({ event_type: "invoice.paid", sort: "timestamp:asc", limit: "2", fields: "id,timestamp" })) {
  console.log(event.id, event.timestamp);
  count++;
}
if (count === 0) process.exit(1);
