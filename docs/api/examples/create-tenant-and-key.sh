# Needs API_URL and ADMIN_KEY. Creates a tenant and an API key for it; prints the key (shown only once).
TENANT_ID=$(curl -sf -X POST "$API_URL/api/v1/tenants" \
  -H "Authorization: Bearer $ADMIN_KEY" -H 'Content-Type: application/json' \
  -H "Idempotency-Key: $(uuidgen 2>/dev/null || cat /proc/sys/kernel/random/uuid)" \
  -d '{"name": "Acme", "plan": "pro"}' | jq -r .id)

API_KEY=$(curl -sf -X POST "$API_URL/api/v1/tenants/$TENANT_ID/api-keys" \
  -H "Authorization: Bearer $ADMIN_KEY" | jq -r .key)

echo "TENANT_ID=$TENANT_ID"
echo "API_KEY=$API_KEY"
