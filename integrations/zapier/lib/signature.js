'use strict';

// Standard Webhooks verification (https://www.standardwebhooks.com/), as docs/webhooks.md
// describes the platform's signature: v1,base64(HMAC-SHA256(key, "{id}.{timestamp}.{body}")) where
// the key is the base64 after "whsec_"; several space-separated signatures during a rotation.

const crypto = require('crypto');

const TOLERANCE_SECONDS = 5 * 60;

// Zapier hands a hook's request headers with an "Http-" prefix; accept them with or without it.
const header = (headers, name) => {
  const wanted = [name.toLowerCase(), `http-${name.toLowerCase()}`];
  const key = Object.keys(headers || {}).find((k) => wanted.includes(k.toLowerCase()));
  return key === undefined ? undefined : String(headers[key]);
};

const verify = (secret, headers, body, now = Date.now()) => {
  const id = header(headers, 'webhook-id');
  const timestamp = header(headers, 'webhook-timestamp');
  const signatures = header(headers, 'webhook-signature');
  if (!id || !timestamp || !signatures) return 'missing Standard Webhooks headers';
  const seconds = Number(timestamp);
  if (!Number.isInteger(seconds) || Math.abs(now / 1000 - seconds) > TOLERANCE_SECONDS) return 'timestamp outside the tolerance';
  const key = Buffer.from(String(secret).replace(/^whsec_/, ''), 'base64');
  const expected = crypto.createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest();
  const matches = signatures.split(' ').some((entry) => {
    const [version, value] = entry.split(',', 2);
    if (version !== 'v1' || !value) return false;
    const given = Buffer.from(value, 'base64');
    return given.length === expected.length && crypto.timingSafeEqual(given, expected);
  });
  return matches ? null : 'no signature matches';
};

module.exports = { verify };
