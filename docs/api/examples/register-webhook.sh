# Needs API_URL and API_KEY; WEBHOOK_URL is your HTTPS receiver. The secret is in this response
# only (and from reveal-secret later): store it to verify signatures.
curl -sf -X POST "$API_URL/api/v1/webhook-endpoints" \
  -H "Authorization: Bearer $API_KEY" -H 'Content-Type: application/json' \
  -H "Idempotency-Key: $(cat /proc/sys/kernel/random/uuid)" \
  -d "{\"url\": \"${WEBHOOK_URL:-https://hooks.example.com/integrations}\", \"event_types\": [\"invoice.paid\", \"invoice.failed\"]}" \
  | jq -c '{id, status, event_types, secret_prefix: (.secret[0:6])}'
