// SSRF corpus, against a system with the production rule (Webhooks:AllowPrivateNetworkTargets=false):
// every URL of the corpus at every place a tenant supplies a URL the platform calls (webhook endpoints
// created and updated, REST hooks, the product bridge's callback, the generic HTTP connection's base
// and token URLs, a Teams Workflows URL). A canary HTTP listener on every local address (::, so
// 127.0.0.1, ::1, this machine's 192.0.2.2 / fd00::2 and the IPv4-mapped forms reach it) counts
// what arrives: it must stay at 0. Each URL must be refused with a 4xx in the error format, or (only
// when the target is public) accepted; events are then sent so that accepted endpoints are called.
import { createServer } from "node:http";
import { networkInterfaces } from "node:os";
import { readFileSync } from "node:fs";
import { call, tenantWithKey, isErrorFormat, report, sleep, QUICK } from "./lib.mjs";

const hits = [];
const canary = createServer((request, response) => { hits.push(`${request.method} ${request.headers.host}${request.url}`); response.writeHead(302, { Location: "http://169.254.169.254/" }).end(); });
await new Promise((resolve) => canary.listen(0, "::", resolve));
const C = canary.address().port;

// This machine's own addresses (all private or reserved here) and the names that resolve to
// loopback without a DNS server: localhost and every name in /etc/hosts. No resolver answering
// private addresses for public-looking names (*.localtest.me, nip.io) is reachable from here.
const own = Object.values(networkInterfaces()).flat().filter((a) => !a.internal).map((a) => a.family === "IPv6" ? `[${a.address.split("%")[0]}]` : a.address);
const hostNames = [...new Set(readFileSync("/etc/hosts", "utf8").split("\n").filter((l) => l.trim() && !l.startsWith("#"))
  .flatMap((l) => l.trim().split(/\s+/).slice(1)))].filter((n) => !n.includes(":"));

const canaryHosts = ["127.0.0.1", "127.1", "2130706433", "0x7f000001", "0x7f.0.0.1", "0177.0.0.1", "017700000001", "127.000.000.001",
  "[::ffff:127.0.0.1]", "[::ffff:7f00:1]", "[0:0:0:0:0:ffff:7f00:1]", "[::1]", "[0:0:0:0:0:0:0:1]", "0.0.0.0", "0", "[::]",
  "localhost", "LOCALHOST", "localhost.", "127.0.0.1.", ...hostNames, ...own];
const otherUrls = ["http://169.254.169.254/latest/meta-data/", "http://[::ffff:169.254.169.254]/latest/meta-data/", "http://2852039166/",
  "http://metadata.google.internal/computeMetadata/v1/", "http://10.0.0.1/", "http://10.255.255.53/", "http://172.16.0.1/", "http://172.31.255.254/",
  "http://192.168.0.1/", "http://100.64.0.1/", "http://[fc00::1]/", "http://[fe80::1]/", "http://[fd00::1]/", "http://198.18.0.1/", "http://224.0.0.1/",
  "http://255.255.255.255/", "http://[::ffff:10.0.0.1]/", "http://[64:ff9b::7f00:1]/", "http://[2002:7f00:1::]/"];
const corpus = [
  ...canaryHosts.flatMap((h) => [`http://${h}:${C}/ssrf`, `https://${h}:${C}/ssrf`]),
  ...otherUrls, ...otherUrls.map((u) => u.replace("http:", "https:")),
  `http://user:pass@127.0.0.1:${C}/`, "https://user:pass@93.184.215.14/creds", "https://user@93.184.215.14/creds", `https://93.184.215.14@127.0.0.1:${C}/`,
  `http://127.0.0.1:${C}#@93.184.215.14/`, `https://93.184.215.14\\@127.0.0.1:${C}/`, `http://[::ffff:127.0.0.1]:${C}@93.184.215.14/`,
  `file:///etc/passwd`, `gopher://127.0.0.1:${C}/_x`, `ftp://127.0.0.1:${C}/`, `dict://127.0.0.1:${C}/`, `ws://127.0.0.1:${C}/`,
];
const sample = QUICK ? corpus.filter((_, i) => i % 6 === 0) : corpus;
// Only these may be accepted: public addresses (93.184.215.14 is a public address; nothing listens for us there).
const isPublicTarget = (url) => { try { const u = new URL(url); return u.hostname === "93.184.215.14"; } catch { return false; } };

const tenant = await tenantWithKey("SSRF");
const sanity = await call("POST", "/api/v1/webhook-endpoints", { key: tenant.key, body: { url: `http://127.0.0.1:${C}/`, event_types: ["*"] } });
if (sanity.status < 400) { console.log("FAIL the system allows private targets: run this section with the production rule"); report("SSRF corpus", { cases: 0, passed: 0, failed: 1, figure: "system not on the production rule" }); process.exit(1); }
const existing = (await call("POST", "/api/v1/webhook-endpoints", { key: tenant.key, body: { url: "https://93.184.215.14/existing", event_types: ["*"] } })).json;

const sinks = {
  "webhook endpoint (create)": (url) => call("POST", "/api/v1/webhook-endpoints", { key: tenant.key, body: { url, event_types: ["*"] } }),
  "webhook endpoint (update)": (url) => call("PATCH", `/api/v1/webhook-endpoints/${existing.id}`, { key: tenant.key, body: { url } }),
  "REST hook target_url": (url) => call("POST", "/api/v1/hooks", { key: tenant.key, body: { target_url: url, event_types: ["entity.updated"] } }),
  "product bridge callback": (url) => call("PUT", "/api/v1/product-bridge/callback", { key: tenant.key, body: { url } }),
  "HTTP connection base_url": (url) => call("POST", "/api/v1/connections", { key: tenant.key, body: { provider: "http", auth_kind: "api_key", display_name: "SSRF", credentials: { api_key: "k" }, settings: { base_url: url, health_check_path: "/me" } } }),
  "HTTP connection token_url": (url) => call("POST", "/api/v1/connections", { key: tenant.key, body: { provider: "http", auth_kind: "oauth2_client_credentials", display_name: "SSRF", credentials: { client_id: "c", client_secret: "s" }, settings: { base_url: "https://93.184.215.14/api", token_url: url } } }),
  "Teams Workflows URL": (url) => call("POST", "/api/v1/connections", { key: tenant.key, body: { provider: "teams-workflows", display_name: "SSRF", credentials: { api_key: `${url}${url.includes("?") ? "&" : "?"}api-version=1&sig=x` } } }),
};

let cases = 0, passed = 0, refused = 0, accepted = 0;
const failures = [];
const perSink = {};
for (const [sink, send] of Object.entries(sinks)) {
  for (const url of sample) {
    cases++;
    const response = await send(url);
    const ok = response.status >= 400 && response.status < 500 ? isErrorFormat(response.json)
      : response.status < 300 ? isPublicTarget(url) : false;
    if (response.status >= 400 && response.status < 500) refused++; else if (response.status < 300) accepted++;
    if (ok) passed++; else failures.push(`${sink} ${url}: ${response.status} ${response.text.slice(0, 200)}`);
    (perSink[sink] ??= { refused: 0, accepted: 0 })[response.status < 300 ? "accepted" : "refused"]++;
    // The answer never repeats a refused URL's credentials.
    if (url.includes("user:pass") && response.text.includes("pass@")) { failures.push(`${sink} echoed the URL's password`); passed--; }
  }
}
// Whatever was accepted gets events to deliver; the schedule of deliveries is immediate for a new event.
for (let i = 0; i < 3; i++) await call("POST", "/api/v1/events", { key: tenant.key, body: { event_type: "invoice.paid", data: { invoice_id: `ssrf_${i}`, amount_cents: 1, currency: "EUR" } } });
await sleep(QUICK ? 3000 : 8000);
canary.close();

for (const f of failures.slice(0, 30)) console.log(`FAIL ${f}`);
for (const h of hits.slice(0, 10)) console.log(`FAIL canary hit: ${h}`);
console.log(`per place: ${JSON.stringify(perSink)}`);
const failed = cases - passed + hits.length;
report("SSRF corpus", {
  cases,
  passed,
  failed,
  figure: `${sample.length} URLs x ${Object.keys(sinks).length} places; refused ${refused}, accepted ${accepted} (public targets only); canary hits ${hits.length}`,
});
process.exit(failed ? 1 : 0);
