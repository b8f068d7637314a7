// Secrets: the values seed.mjs planted or was handed once (webhook endpoint, REST hook and product
// callback secrets, a generic HTTP connection's API key, a Teams Workflows URL's sig, an inbound
// source's secret, an app's client secret, an API key, invitation tokens) must appear nowhere else:
// not in the API's and the Workers' logs (run at Information), not in any answer of the isolation
// section (every GET operation, every console page), not in any record of any Kafka topic (kcat,
// from the beginning: keys, headers, values), not in the answers to requests that fail because of
// them. The one answer that hands a secret out (creation, reveal) is the exception by design.
import { readFileSync, readdirSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { OUT, call, report } from "./lib.mjs";

const tenants = JSON.parse(readFileSync(`${OUT}/tenants.json`, "utf8"));
const sysDir = process.env.SYS_DIR;
const bootstrap = readFileSync(`${sysDir}/bootstrap.txt`, "utf8").split("\n")[0].trim();

// A secret is found in any of the forms it could be written in: as is, URL-encoded, JSON-escaped,
// and its random part without the prefix (whsec_, sk_live_, …).
const forms = (secret) => {
  const core = secret.replace(/^(whsec_|sk_live_relplant_|relinbound_|relsig|ik_|inv_|cs_)/, "");
  return [...new Set([secret, encodeURIComponent(secret), secret.replaceAll("+", "\\u002B").replaceAll("/", "\\/"), JSON.stringify(secret).slice(1, -1), core.length >= 16 ? core : secret])];
};
const planted = tenants.flatMap((t) => t.secrets.map((s) => ({ tenant: t.marker, secret: s, forms: forms(s) })));

const sources = [];
for (const name of readdirSync(`${sysDir}/logs`)) sources.push({ name: `log ${name}`, text: readFileSync(`${sysDir}/logs/${name}`, "latin1") });
const answers = readFileSync(`${OUT}/answers.jsonl`, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
for (const a of answers) sources.push({ name: `answer ${a.what}`, text: a.text });

const topics = JSON.parse(execFileSync("kcat", ["-L", "-J", "-b", bootstrap], { encoding: "utf8", timeout: 30_000 })).topics.map((t) => t.topic).filter((t) => !t.startsWith("__"));
let records = 0;
for (const topic of topics) {
  const text = execFileSync("kcat", ["-C", "-b", bootstrap, "-t", topic, "-o", "beginning", "-e", "-q", "-f", "%k\t%h\t%s\n"], { encoding: "latin1", timeout: 60_000, maxBuffer: 512 * 1024 * 1024 });
  records += text.split("\n").filter(Boolean).length;
  sources.push({ name: `topic ${topic}`, text });
}

// Failures that involve a secret: the error must not repeat it.
const t0 = tenants[0];
const probes = [
  ["teams URL off the allowed hosts", await call("POST", "/api/v1/connections", { key: t0.key, body: { provider: "teams-workflows", display_name: "x", credentials: { api_key: `https://evil.example.org/workflows/x?sig=${t0.secrets[0]}` } } })],
  ["webhook URL with a password", await call("POST", "/api/v1/webhook-endpoints", { key: t0.key, body: { url: `https://user:${t0.secrets[0]}@93.184.215.14/`, event_types: ["*"] } })],
  ["inbound source with a bad verifier", await call("POST", "/api/v1/inbound-sources", { key: t0.key, body: { name: "x", verifier: { kind: "nope" }, secret: t0.secrets[0] } })],
  ["a revoked-looking key", await call("GET", "/api/v1/events", { key: `${t0.secrets[0]}x` })],
];
for (const [name, response] of probes) sources.push({ name: `error answer: ${name}`, text: response.text });

// The control: the search finds a secret where it is handed out by design (reveal-secret), so a 0
// below is not a search that cannot find anything.
const endpoint = (await call("GET", "/api/v1/webhook-endpoints?limit=1", { key: t0.key })).json.data[0];
const revealed = await call("POST", `/api/v1/webhook-endpoints/${endpoint.id}/reveal-secret`, { key: t0.key });
const controlFound = planted.some((p) => p.forms.some((f) => revealed.text.includes(f)));
if (!controlFound) console.log(`FAIL control: the revealed secret was not found by the search: ${revealed.status} ${revealed.text.slice(0, 120)}`);

let found = controlFound ? 0 : 1;
const failures = [];
for (const source of sources) {
  for (const p of planted) {
    const hit = p.forms.find((f) => source.text.includes(f));
    if (hit) { found++; if (failures.length < 30) failures.push(`${p.tenant}'s ${p.secret.slice(0, 12)}… in ${source.name}`); }
  }
}
for (const f of failures) console.log(`FAIL ${f}`);
const logBytes = sources.filter((s) => s.name.startsWith("log ")).reduce((n, s) => n + s.text.length, 0);
report("secrets", {
  cases: planted.length * sources.length,
  passed: planted.length * sources.length - found,
  failed: found,
  figure: `${planted.length} secrets x ${sources.length} places (logs ${(logBytes / 1024).toFixed(0)} KiB, ${answers.length} GET answers and console pages, ${topics.length} topics / ${records} records, ${probes.length} error answers); occurrences ${found}`,
});
process.exit(found ? 1 : 0);
