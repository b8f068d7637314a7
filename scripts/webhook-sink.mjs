// A local webhook receiver for trying the platform out (scripts/webhook-sink.sh starts it): answers
// 200 to every request and prints it, the Standard Webhooks headers and the body pretty-printed.
// Given the endpoint's whsec_ secret, it also checks each signature the way a real receiver must
// (docs/webhooks.md#the-request): HMAC-SHA256 over "webhook-id.webhook-timestamp.raw body" with the
// base64-decoded secret, any of the space-separated v1 signatures, timestamp within 5 minutes.
// Node.js only, no dependencies.
import { createServer } from "node:http";
import { createHmac, timingSafeEqual } from "node:crypto";

const [portArg = "9000", secretArg = process.env.WEBHOOK_SECRET ?? ""] = process.argv.slice(2);
const port = Number(portArg);
if (!Number.isInteger(port) || port < 1 || port > 65535) {
  console.error(`webhook-sink: not a port: ${portArg}`);
  process.exit(2);
}
const secret = secretArg.trim();
if (secret && !/^whsec_[A-Za-z0-9+/]+={0,2}$/.test(secret)) {
  console.error("webhook-sink: the secret must be the endpoint's signing secret, whsec_ followed by base64");
  process.exit(2);
}
const key = secret ? Buffer.from(secret.slice("whsec_".length), "base64") : null;
const TOLERANCE_SECONDS = 5 * 60;
const MAX_BODY = 1024 * 1024;

const color = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code) => (text) => (color ? `\x1b[${code}m${text}\x1b[0m` : text);
const bold = paint("1"), dim = paint("2"), green = paint("32"), red = paint("31"), yellow = paint("33"), cyan = paint("36");

function checkSignature(id, timestamp, signatureHeader, rawBody) {
  if (!key) return dim("not checked (start the sink with the endpoint's whsec_ secret to check it)");
  if (!id || !timestamp || !signatureHeader) return red("INVALID: a webhook-id, webhook-timestamp or webhook-signature header is missing");
  const expected = Buffer.from("v1," + createHmac("sha256", key).update(`${id}.${timestamp}.`).update(rawBody).digest("base64"));
  const matches = signatureHeader.split(" ").some((candidate) => {
    const given = Buffer.from(candidate);
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  if (!matches) return red("INVALID: no v1 signature matches this secret (another endpoint's secret? rotated?)");
  const skew = Math.floor(Date.now() / 1000) - Number(timestamp);
  if (!Number.isFinite(skew) || Math.abs(skew) > TOLERANCE_SECONDS) return yellow(`valid, but the timestamp is ${skew} s off: a receiver refuses it (replay protection)`);
  return green("valid");
}

function describeTimestamp(value) {
  const seconds = Number(value);
  if (!value || !Number.isFinite(seconds)) return "";
  return dim(` (${new Date(seconds * 1000).toISOString().replace(".000Z", "Z")}, ${Math.floor(Date.now() / 1000) - seconds} s ago)`);
}

function pretty(rawBody, contentType) {
  const text = rawBody.toString("utf8");
  if (text === "") return dim("(empty body)");
  if (/json/i.test(contentType ?? "") || /^\s*[{[]/.test(text)) {
    try {
      return JSON.stringify(JSON.parse(text), null, 2);
    } catch {
      // not JSON after all: shown as it came
    }
  }
  return text;
}

let count = 0;
const server = createServer((req, res) => {
  const chunks = [];
  let size = 0;
  req.on("data", (chunk) => {
    size += chunk.length;
    if (size <= MAX_BODY) chunks.push(chunk);
  });
  req.on("end", () => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end('{"received":true}');
    const rawBody = Buffer.concat(chunks);
    const h = req.headers;
    const lines = [
      "",
      bold(cyan(`#${++count} ${req.method} ${req.url}`)) + dim(`  ${new Date().toISOString()}  from ${req.socket.remoteAddress}, ${size} bytes`)
        + (size > MAX_BODY ? red(` (only the first ${MAX_BODY} shown)`) : ""),
      `  webhook-id         ${h["webhook-id"] ?? dim("(none)")}`,
      `  webhook-timestamp  ${h["webhook-timestamp"] ?? dim("(none)")}${describeTimestamp(h["webhook-timestamp"])}`,
      `  webhook-signature  ${h["webhook-signature"] ?? dim("(none)")}`,
      `  signature check    ${size > MAX_BODY ? yellow("skipped (body too large for the sink)") : checkSignature(h["webhook-id"], h["webhook-timestamp"], h["webhook-signature"], rawBody)}`,
      dim(`  content-type: ${h["content-type"] ?? "(none)"}, user-agent: ${h["user-agent"] ?? "(none)"}`),
      pretty(rawBody, h["content-type"]).replace(/^/gm, "  "),
    ];
    console.log(lines.join("\n"));
  });
});

server.on("error", (error) => {
  console.error(`webhook-sink: ${error.code === "EADDRINUSE" ? `port ${port} is already in use; pass another one` : error.message}`);
  process.exit(1);
});
server.listen(port, "127.0.0.1", () => {
  console.log(bold(`webhook sink listening on http://127.0.0.1:${port}/`) + " — every request gets 200 and is printed here; Ctrl-C stops it.");
  console.log(key
    ? "Signatures are checked with the secret given."
    : dim("Signatures are not checked: pass the endpoint's whsec_ secret as the second argument (or WEBHOOK_SECRET) to check them."));
});
const stop = () => server.close(() => process.exit(0));
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
