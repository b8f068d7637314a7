// Shared set-up of the console's browser tests: API calls, tenants with a member, a local webhook
// sink, and the walk() wrapper that counts results and takes a screenshot of each walk.
import { chromium } from "playwright-core";
import { createServer } from "node:http";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

export const { API_URL, ADMIN_KEY } = process.env;
export const SCREENSHOT_DIR = process.env.SCREENSHOT_DIR ?? ".";
export const PASSWORD = "correct horse battery staple";

export async function api(method, path, { key, body } = {}) {
  const response = await fetch(`${API_URL}${path}`, {
    method,
    headers: { ...(key ? { Authorization: `Bearer ${key}` } : {}), ...(body ? { "Content-Type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

/** A tenant with an API key, made through the admin API. */
export async function tenantWithKey(name) {
  const tenant = (await api("POST", "/api/v1/tenants", { key: ADMIN_KEY, body: { name, plan: "enterprise" } })).body;
  const key = (await api("POST", `/api/v1/tenants/${tenant.id}/api-keys`, { key: ADMIN_KEY })).body.key;
  return { id: tenant.id, name, key };
}

/** A tenant with an API key and an active member who set PASSWORD through the invitation page. */
export async function tenantWithMember(browser, name) {
  const { id, key } = await tenantWithKey(name);
  const email = `${name.toLowerCase().replace(/\W/g, "")}-${Date.now()}@example.com`;
  const invitation = (await api("POST", "/api/v1/members", { key, body: { email, role: "member" } })).body;
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${API_URL}/oauth/invitations/accept?token=${encodeURIComponent(invitation.invitation_token)}`);
  await page.getByLabel(/Choose a password/).fill(PASSWORD);
  await page.getByRole("button", { name: "Join" }).click();
  await page.waitForLoadState();
  await context.close();
  return { id, name, key, email };
}

/** A receiver on this machine that answers `status` (200: a working one, 500: a failing one) and counts what it got. */
export async function startSink(status = 200) {
  const received = [];
  const server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => (body += chunk));
    request.on("end", () => {
      received.push({ path: request.url, body });
      response.writeHead(status, { "Content-Type": "text/plain" }).end(status === 200 ? "ok" : "receiver broken");
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${server.address().port}`, received, close: () => server.close() };
}

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

export async function signIn(page, tenant, password = PASSWORD) {
  await page.goto(`${API_URL}/console`);
  await page.getByLabel("Organisation ID", { exact: true }).fill(tenant.id);
  await page.getByLabel("E-mail", { exact: true }).fill(tenant.email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForLoadState();
}

/** The operator's sign-in at /admin with the admin key (or another key, to be refused). */
export async function signInOperator(page, key = ADMIN_KEY) {
  await page.goto(`${API_URL}/admin`);
  await page.getByLabel("Admin key", { exact: true }).fill(key);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForLoadState();
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/** axe-core's serious and critical violations of the page (its context must bypass the CSP to inject axe). */
export async function axeViolations(page) {
  await page.evaluate(axeSource);
  return page.evaluate(async () => (await window.axe.run(document, { resultTypes: ["violations"] })).violations
    .filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => `${v.id} (${v.nodes.length})`));
}

export const results = { passed: 0, failed: 0 };

/** Runs one test in a fresh browser context; a thrown error or a recorded problem fails it. */
export async function walk(browser, name, fn, contextOptions = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, ...contextOptions });
  const page = await context.newPage();
  const problems = [];
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("console", (message) => {
    // Error pages are expected answers of some tests; failed subresources are caught below.
    if (message.type() === "error" && !message.text().startsWith("Failed to load resource")) problems.push(`console error: ${message.text()}`);
  });
  page.on("response", (response) => {
    if (response.request().resourceType() !== "document" && response.status() >= 400) problems.push(`${response.status()} for ${response.url()}`);
  });
  try {
    await fn(page, problems, context);
  } catch (error) {
    problems.push(error.message.split("\n")[0]);
  }
  await page.screenshot({ path: `${SCREENSHOT_DIR}/console-${name}.png`, fullPage: true }).catch(() => {});
  await context.close();
  if (problems.length) {
    results.failed++;
    console.log(`FAIL ${name}: ${problems.join("; ")}`);
  } else {
    results.passed++;
    console.log(`ok   ${name}`);
  }
}

/**
 * One walk per [name, path] that signs in with `signInTo(page)`, opens the path (a function is
 * called at run time) and fails on axe-core's serious or critical violations.
 */
export async function axeWalks(browser, signInTo, pages, viewport = { width: 1280, height: 800 }) {
  for (const [name, path] of pages) {
    await walk(browser, name, async (page, problems) => {
      await signInTo(page);
      await page.goto(`${API_URL}${typeof path === "function" ? path() : path}`);
      const found = await axeViolations(page);
      if (found.length) problems.push(`axe: ${found.join(", ")}`);
    }, { bypassCSP: true, viewport });
  }
}
