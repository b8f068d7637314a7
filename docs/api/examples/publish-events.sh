# Needs API_URL and API_KEY. Up to 100 events in one request (e.g. a backfill): all are stored, in
# this order, or none is. The Idempotency-Key makes a retry of the whole batch safe.
curl -sf -X POST "$API_URL/api/v1/events/batch" \
  -H "Authorization: Bearer $API_KEY" -H 'Content-Type: application/json' \
  -H "Idempotency-Key: import-users-part-1" \
  -d '{"events": [
        {"event_type": "user.joined", "data": {"user_id": "usr_101", "role": "admin"}},
        {"event_type": "user.joined", "data": {"user_id": "usr_102", "role": "member"}},
        {"event_type": "invoice.paid", "data": {"invoice_id": "in_1Qy1", "amount_cents": 4200, "currency": "EUR"}}
      ]}' | jq -c '.data[] | {id, event_type}'
