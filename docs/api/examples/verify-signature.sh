# Verifies a Standard Webhooks signature with openssl: HMAC-SHA256 over "id.timestamp.body" with
# the base64-decoded secret (without "whsec_"). Here with the test vector of the other examples;
# in a receiver, take the values from the webhook-id, webhook-timestamp and webhook-signature
# headers and the raw body, and also refuse timestamps more than 5 minutes away from now.
SECRET="whsec_AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA="
ID="msg_0193a5f3-4d5e-7f60-8172-93a4b5c6d7e8"
TIMESTAMP=1795338900
BODY='{"id":"0193a5f3-4d5e-7f60-8172-93a4b5c6d7e8","event_type":"invoice.paid","data":{"invoice_id":"in_1Qx7","amount_cents":4200,"currency":"EUR"}}'
HEADER="v1,AeJDcX/EmcVtAxTlcgwz2JyBqzMC0zGphsQXl+gVN0o="

KEY_HEX=$(printf '%s' "${SECRET#whsec_}" | base64 -d | od -An -tx1 | tr -d ' \n')
EXPECTED="v1,$(printf '%s' "$ID.$TIMESTAMP.$BODY" | openssl dgst -sha256 -mac HMAC -macopt "hexkey:$KEY_HEX" -binary | base64)"
for candidate in $HEADER; do  # several signatures during a secret rotation
  [ "$candidate" = "$EXPECTED" ] && { echo "signature valid"; exit 0; }
done
echo "signature INVALID"; exit 1
