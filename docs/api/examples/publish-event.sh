# Needs API_URL and API_KEY. The Idempotency-Key makes the retry safe: repeating the same request
# returns the first result (with Idempotent-Replayed: true) instead of publishing twice.
KEY="invoice-in_1Qx7-paid"
for attempt in 1 2; do
  curl -sf -X POST "$API_URL/api/v1/events" \
    -H "Authorization: Bearer $API_KEY" -H 'Content-Type: application/json' \
    -H "Idempotency-Key: $KEY" \
    -d '{"event_type": "invoice.paid", "data": {"invoice_id": "in_1Qx7", "amount_cents": 4200, "currency": "EUR"}}' | jq -c '{id, event_type}'
done
