// Verifies a Standard Webhooks signature: HMAC-SHA256 over "id.timestamp.body" with the
// base64-decoded secret (without "whsec_"), compared in constant time, timestamp within 5 minutes.
// In a receiver, pass the webhook-id, webhook-timestamp and webhook-signature headers and the raw body.
import { createHmac, timingSafeEqual } from "node:crypto";

export function verify(secret, id, timestamp, signatureHeader, rawBody, nowSeconds = Math.floor(Date.now() / 1000)) {
  if (Math.abs(nowSeconds - Number(timestamp)) > 5 * 60) return false;
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  const expected = Buffer.from("v1," + createHmac("sha256", key).update(`${id}.${timestamp}.${rawBody}`).digest("base64"));
  // Several signatures are sent during a secret rotation: any match will do.
  return signatureHeader.split(" ").some((candidate) => {
    const given = Buffer.from(candidate);
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

// The test vector shared by the examples.
const secret = "whsec_AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=";
const id = "msg_0193a5f3-4d5e-7f60-8172-93a4b5c6d7e8";
const timestamp = 1795338900;
const body = '{"id":"0193a5f3-4d5e-7f60-8172-93a4b5c6d7e8","event_type":"invoice.paid","data":{"invoice_id":"in_1Qx7","amount_cents":4200,"currency":"EUR"}}';
const header = "v1,AeJDcX/EmcVtAxTlcgwz2JyBqzMC0zGphsQXl+gVN0o=";

const valid = verify(secret, id, timestamp, header, body, timestamp);
const tampered = verify(secret, id, timestamp, header, body.replace("4200", "1"), timestamp);
const stale = verify(secret, id, timestamp, header, body, timestamp + 3600);
console.log({ valid, tampered, stale });
if (!valid || tampered || stale) process.exit(1);
