// Browser tests of the console's organisation pages (docs/console.md#api-keys-and-members): creating
// an API key (shown once, works, then only its prefix), refused without the anti-forgery token and
// in an embedded session; members and invitations: invite (the link shown once works), remove (the
// removed member's session ends), tenant isolation through crafted forms; axe. Prints
// "account: N passed, N failed".
import { API_URL, PASSWORD, api, axeViolations, launch, results, signIn, tenantWithMember, walk } from "./harness.mjs";

const browser = await launch();
const tenantA = await tenantWithMember(browser, "Account A");
const tenantB = await tenantWithMember(browser, "Account B");
const keysOf = async (tenant) => (await api("GET", `/api/v1/tenants/${tenant.id}/api-keys?limit=100`, { key: tenant.key })).body.data;

await walk(browser, "api-key-created-and-shown-once", async (page, problems) => {
  await signIn(page, tenantA);
  await page.getByRole("link", { name: "API keys" }).click();
  const [response] = await Promise.all([page.waitForResponse((r) => r.request().method() === "POST" && r.url().endsWith("/console/api-keys")),
    page.getByRole("button", { name: "Create API key" }).click()]);
  if (!(response.headers()["cache-control"] ?? "").includes("no-store")) problems.push(`cache-control: ${response.headers()["cache-control"]}`);
  const key = (await page.locator("#new-key").textContent())?.trim() ?? "";
  if (!key.startsWith("ik_")) return problems.push(`shown: ${key}`);
  const own = await api("GET", `/api/v1/tenants/${tenantA.id}`, { key });
  if (own.status !== 200) problems.push(`the new key does not work: ${own.status}`);
  if ((await api("GET", `/api/v1/tenants/${tenantB.id}`, { key })).status !== 404) problems.push("the new key reads tenant B");
  const listed = (await keysOf(tenantA)).find((k) => key.startsWith(`${k.prefix}_`));
  if (!listed) return problems.push("the new key is not in the API's list");
  await page.goto(`${API_URL}/console/api-keys`);
  if ((await page.content()).includes(key)) problems.push("the key is shown again after a reload");
  if (!(await page.locator("#api-keys tbody").textContent()).includes(listed.prefix)) problems.push("the new key's prefix is not listed");
  page.once("dialog", (dialog) => dialog.accept());
  await page.locator(`#revoke-${listed.id}`).click();
  await page.waitForLoadState();
  if ((await api("GET", `/api/v1/tenants/${tenantA.id}`, { key })).status !== 401) problems.push("the revoked new key still works");
});

await walk(browser, "api-key-create-needs-antiforgery-and-a-member", async (page, problems) => {
  const before = (await keysOf(tenantA)).length;
  await signIn(page, tenantA);
  const forged = await page.request.post(`${API_URL}/console/api-keys`, { form: {}, maxRedirects: 0 });
  const body = await forged.text();
  if (forged.status() !== 400 || body.includes("ik_")) problems.push(`forged create: ${forged.status()}`);
  // An embedded session (a link minted with the tenant's key) sees the keys but does not mint one.
  const link = (await api("POST", "/api/v1/console-sessions", { key: tenantA.key })).body;
  await page.goto(link.url);
  await page.goto(`${API_URL}/console/api-keys`);
  if (await page.getByRole("button", { name: "Create API key" }).count()) problems.push("embedded session offers Create API key");
  const token = await page.locator("input[name=__RequestVerificationToken]").first().inputValue();
  const embedded = await page.request.post(`${API_URL}/console/api-keys`, { form: { __RequestVerificationToken: token }, maxRedirects: 0 });
  if (embedded.status() !== 403 || (await embedded.text()).includes("ik_")) problems.push(`embedded create: ${embedded.status()}`);
  const after = (await keysOf(tenantA)).length;
  if (after !== before) problems.push(`keys ${before} → ${after}`);
});

await walk(browser, "axe-api-key-created", async (page, problems) => {
  await signIn(page, tenantB);
  await page.goto(`${API_URL}/console/api-keys`);
  await page.getByRole("button", { name: "Create API key" }).click();
  await page.locator("#new-key").waitFor();
  const found = await axeViolations(page);
  if (found.length) problems.push(`axe: ${found.join(", ")}`);
}, { bypassCSP: true, viewport: { width: 390, height: 844 } });

const membersOf = async (tenant) => (await api("GET", "/api/v1/members?limit=100", { key: tenant.key })).body.data;

await walk(browser, "members-invite-join-remove", async (page, problems, context) => {
  const email = `invitee-${Date.now()}@example.com`;
  await signIn(page, tenantA);
  await page.getByRole("link", { name: "Members", exact: true }).click();
  if (!(await page.locator("#members tbody").textContent()).includes(tenantA.email)) problems.push("the signed-in member is not listed");
  // A refused address keeps what was typed and invites nobody.
  await page.getByLabel("E-mail", { exact: true }).fill("not-an-address");
  await page.locator("#invite-email").evaluate((input) => input.setAttribute("type", "text"));
  await page.getByRole("button", { name: "Invite member" }).click();
  if (!(await page.locator("#error").textContent()).includes("e-mail")) problems.push("no error for a bad address");
  if ((await page.getByLabel("E-mail", { exact: true }).inputValue()) !== "not-an-address") problems.push("the typed address was lost");
  await page.getByLabel("E-mail", { exact: true }).fill(email);
  await page.getByLabel("Role", { exact: true }).selectOption("admin");
  await page.getByRole("button", { name: "Invite member" }).click();
  const link = (await page.locator("#invitation-link").textContent())?.trim() ?? "";
  if (!link.startsWith(`${API_URL}/oauth/invitations/accept?token=`)) return problems.push(`link: ${link}`);
  const pending = await page.locator("#invitations tbody").textContent();
  if (!pending.includes(email) || !pending.includes("admin")) problems.push(`pending: ${pending}`);
  await page.reload();
  if ((await page.content()).includes(link.split("token=")[1])) problems.push("the invitation token is shown again");
  // The invitee joins through the link, signs in to the console in a browser of their own ...
  const invitee = await context.browser().newContext();
  const inviteePage = await invitee.newPage();
  await inviteePage.goto(link);
  await inviteePage.getByLabel(/Choose a password/).fill(PASSWORD);
  await inviteePage.getByRole("button", { name: "Join" }).click();
  await inviteePage.waitForLoadState();
  await signIn(inviteePage, { id: tenantA.id, email });
  if (!inviteePage.url().endsWith("/console/webhooks")) problems.push(`the invitee did not get in: ${inviteePage.url()}`);
  await page.goto(`${API_URL}/console/members`);
  const joined = (await membersOf(tenantA)).find((m) => m.email === email);
  if (joined?.status !== "active") return problems.push(`invitee: ${JSON.stringify(joined)}`);
  if (!(await page.locator("#members tbody").textContent()).includes(email)) problems.push("the joined member is not under Members");
  // ... and is removed: gone from the API's list, and the open session ends with the next request.
  page.once("dialog", (dialog) => dialog.accept());
  await page.locator(`#remove-${joined.id}`).click();
  await page.waitForLoadState();
  if ((await membersOf(tenantA)).some((m) => m.email === email)) problems.push("the removed member is still listed by the API");
  if ((await page.locator("main").textContent()).includes(email)) problems.push("the removed member is still on the page");
  await inviteePage.goto(`${API_URL}/console/webhooks`);
  if (!inviteePage.url().includes("/console/sign-in")) problems.push(`the removed member's session still opens ${inviteePage.url()}`);
  await invitee.close();
});

await walk(browser, "members-tenant-isolation-and-antiforgery", async (page, problems) => {
  const ofB = (await api("POST", "/api/v1/members", { key: tenantB.key, body: { email: `tenant-b-only-${Date.now()}@example.com` } })).body.member;
  await signIn(page, tenantA);
  await page.goto(`${API_URL}/console/members`);
  if ((await page.content()).includes("tenant-b-only")) problems.push("tenant B's invitation in tenant A's list");
  const token = await page.locator("input[name=__RequestVerificationToken]").first().inputValue();
  const crafted = await page.request.post(`${API_URL}/console/members/${ofB.id}/remove`, { form: { __RequestVerificationToken: token }, maxRedirects: 0 });
  if (crafted.status() !== 404) problems.push(`removing tenant B's member: ${crafted.status()}`);
  if (!(await membersOf(tenantB)).some((m) => m.id === ofB.id)) problems.push("tenant B's invitation was removed");
  const before = (await membersOf(tenantA)).length;
  const forged = await page.request.post(`${API_URL}/console/members`, { form: { email: "forged@example.com", role: "admin" }, maxRedirects: 0 });
  if (forged.status() !== 400) problems.push(`forged invite: ${forged.status()}`);
  const mine = (await membersOf(tenantA)).find((m) => m.email === tenantA.email);
  const forgedRemove = await page.request.post(`${API_URL}/console/members/${mine.id}/remove`, { form: {}, maxRedirects: 0 });
  if (forgedRemove.status() !== 400) problems.push(`forged remove: ${forgedRemove.status()}`);
  if ((await membersOf(tenantA)).length !== before) problems.push("a forged form changed the members");
  // An embedded session lists the members but invites nobody.
  await page.goto((await api("POST", "/api/v1/console-sessions", { key: tenantA.key })).body.url);
  await page.goto(`${API_URL}/console/members`);
  if (await page.locator("#invite-form").count()) problems.push("embedded session offers the invite form");
  const embeddedToken = await page.locator("input[name=__RequestVerificationToken]").first().inputValue();
  const embedded = await page.request.post(`${API_URL}/console/members`, { form: { __RequestVerificationToken: embeddedToken, email: "embed@example.com", role: "member" }, maxRedirects: 0 });
  if (embedded.status() !== 403 || (await membersOf(tenantA)).some((m) => m.email === "embed@example.com")) problems.push(`embedded invite: ${embedded.status()}`);
});

await walk(browser, "axe-members", async (page, problems) => {
  await signIn(page, tenantB);
  await page.goto(`${API_URL}/console/members`);
  const found = await axeViolations(page);
  if (found.length) problems.push(`axe: ${found.join(", ")}`);
}, { bypassCSP: true, viewport: { width: 390, height: 844 } });

await browser.close();
console.log(`account: ${results.passed} passed, ${results.failed} failed`);
process.exit(results.failed === 0 ? 0 : 1);
