# Verifies a Standard Webhooks signature: HMAC-SHA256 over "id.timestamp.body" with the
# base64-decoded secret (without "whsec_"), compared in constant time, timestamp within 5 minutes.
# In a receiver, pass the webhook-id, webhook-timestamp and webhook-signature headers and the raw body.
import base64, hashlib, hmac, time

def verify(secret, message_id, timestamp, signature_header, raw_body: bytes, now=None):
    now = int(time.time()) if now is None else now
    if abs(now - int(timestamp)) > 5 * 60:
        return False
    key = base64.b64decode(secret.removeprefix("whsec_"))
    digest = hmac.new(key, f"{message_id}.{timestamp}.".encode() + raw_body, hashlib.sha256).digest()
    expected = "v1," + base64.b64encode(digest).decode()
    # Several signatures are sent during a secret rotation: any match will do.
    return any(hmac.compare_digest(candidate, expected) for candidate in signature_header.split(" "))

# The test vector shared by the examples.
secret = "whsec_AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA="
message_id = "msg_0193a5f3-4d5e-7f60-8172-93a4b5c6d7e8"
timestamp = 1795338900
body = b'{"id":"0193a5f3-4d5e-7f60-8172-93a4b5c6d7e8","event_type":"invoice.paid","data":{"invoice_id":"in_1Qx7","amount_cents":4200,"currency":"EUR"}}'
header = "v1,AeJDcX/EmcVtAxTlcgwz2JyBqzMC0zGphsQXl+gVN0o="

valid = verify(secret, message_id, timestamp, header, body, now=timestamp)
tampered = verify(secret, message_id, timestamp, header, body.replace(b"4200", b"1"), now=timestamp)
stale = verify(secret, message_id, timestamp, header, body, now=timestamp + 3600)
print({"valid": valid, "tampered": tampered, "stale": stale})
assert valid and not tampered and not stale
