import { createHmac, timingSafeEqual } from 'crypto';

// Standard Webhooks verification (https://www.standardwebhooks.com/), the platform's signature for
// every delivery (docs/webhooks.md): v1,base64(HMAC-SHA256(key, "{id}.{timestamp}.{body}")), the key
// being the base64 after "whsec_"; several space-separated signatures during a secret rotation.

const TOLERANCE_SECONDS = 5 * 60;

type Headers = Record<string, string | string[] | undefined>;

const header = (headers: Headers, name: string): string | undefined => {
	const value = headers[name];
	return Array.isArray(value) ? value[0] : value;
};

/** Why the delivery does not verify, or undefined when it does. */
export function signatureProblem(
	secret: string,
	headers: Headers,
	rawBody: Buffer | string,
	nowMs = Date.now(),
): string | undefined {
	const id = header(headers, 'webhook-id');
	const timestamp = header(headers, 'webhook-timestamp');
	const signatures = header(headers, 'webhook-signature');
	if (!id || !timestamp || !signatures) return 'missing Standard Webhooks headers';
	const seconds = Number(timestamp);
	if (!Number.isInteger(seconds) || Math.abs(nowMs / 1000 - seconds) > TOLERANCE_SECONDS) {
		return 'timestamp outside the tolerance';
	}
	const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
	const expected = createHmac('sha256', key)
		.update(`${id}.${timestamp}.`)
		.update(rawBody)
		.digest();
	const matches = signatures.split(' ').some((entry) => {
		const [version, value] = entry.split(',', 2);
		if (version !== 'v1' || !value) return false;
		const given = Buffer.from(value, 'base64');
		return given.length === expected.length && timingSafeEqual(given, expected);
	});
	return matches ? undefined : 'no signature matches';
}
