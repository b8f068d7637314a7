// Opens /docs in headless Debian Chromium (playwright-core): the guide and the Redoc reference must
// render real content with no console errors. Screenshots go to $SCREENSHOT_DIR for a person to look at.
// Prints "browser: N passed, N failed".
import { chromium } from "playwright-core";

const { API_URL } = process.env;
const SCREENSHOT_DIR = process.env.SCREENSHOT_DIR ?? ".";
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});

let passed = 0;
let failed = 0;
async function check(name, path, verify) {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const problems = [];
  page.on("console", (message) => { if (message.type() === "error") problems.push(`console error: ${message.text()}`); });
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("requestfailed", (request) => problems.push(`request failed: ${request.url()}`));
  try {
    const response = await page.goto(`${API_URL}${path}`, { waitUntil: "networkidle" });
    if (response.status() !== 200) problems.push(`status ${response.status()}`);
    await verify(page, problems);
    await page.screenshot({ path: `${SCREENSHOT_DIR}/docs-${name}.png` });
  } catch (error) {
    problems.push(error.message.split("\n")[0]);
  }
  await page.close();
  if (problems.length) {
    failed++;
    console.log(`FAIL ${name}: ${problems.join("; ")}`);
  } else {
    passed++;
    console.log(`ok   ${name}`);
  }
}

const visible = async (page, problems, selector, text) => {
  const locator = page.locator(selector, { hasText: text }).first();
  try {
    await locator.waitFor({ state: "visible", timeout: 15000 });
  } catch {
    problems.push(`"${text}" not visible in ${selector}`);
  }
};

await check("overview", "/docs", async (page, problems) => {
  await visible(page, problems, "main h1", "Integrations API");
  await visible(page, problems, "nav a", "API reference");
});
await check("guide", "/docs/getting-started", async (page, problems) => {
  await visible(page, problems, "main h1", "Getting started");
  await visible(page, problems, "main h2", "Verify a signature");
  await visible(page, problems, "main pre code", "Idempotency-Key");
  if ((await page.locator("main pre").count()) < 15) problems.push("fewer than 15 code examples");
});
await check("event-catalog", "/docs/event-catalog", async (page, problems) => {
  await visible(page, problems, "main h2", "invoice.paid");
});
await check("reference", "/docs/reference", async (page, problems) => {
  // Redoc renders the document's title, the operations in the side menu and the webhooks.
  await visible(page, problems, "h1", "Integrations API");
  await visible(page, problems, "[role=menuitem], li label, label", "List events");
  await visible(page, problems, "h2", "Publish an event");
  if (!(await page.content()).includes("invoice.paid")) problems.push("webhooks not rendered");
});

await browser.close();
console.log(`browser: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
