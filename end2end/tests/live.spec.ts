import { expect, test, type Browser, type Page } from "@playwright/test";
import { watchConsole, waitForHydration } from "./console";
import { OwnServer } from "./own_server";
import { seedMessages, signUp, uniqueName } from "./seed";

/** A signed-in, hydrated, connected chat page in a context of its own. */
async function openChat(browser: Browser, name: string, baseURL?: string): Promise<Page> {
  const context = await browser.newContext(baseURL ? { baseURL } : {});
  const page = await context.newPage();
  await signUp(context.request, name);
  await page.goto("/chat");
  await waitForHydration(page);
  await expect(page.locator(".status-link")).toHaveText("Connected");
  await page.evaluate(() => ((window as any).__sameDocument = true));
  return page;
}

test("two people see each other's messages live, and who is online", async ({ browser }) => {
  const ann = uniqueName("ann");
  const bob = uniqueName("bob");
  const a = await openChat(browser, ann);
  const problems = watchConsole(a);
  const b = await openChat(browser, bob);
  await expect(a.locator(".online-user", { hasText: bob })).toBeVisible();
  await expect(b.locator(".online-title")).toContainText(/Online \(\d+\)/);

  await a.getByRole("textbox", { name: "Message" }).fill("hi bob, live");
  await a.keyboard.press("Enter");
  const seen = b.locator(".message.other", { hasText: "hi bob, live" });
  await expect(seen).toHaveCount(1);
  await expect(seen.locator(".message-author")).toHaveText(ann);

  await b.getByRole("textbox", { name: "Message" }).fill("hello ann");
  await b.keyboard.press("Enter");
  await expect(a.locator(".message.other", { hasText: "hello ann" })).toHaveCount(1);
  // Each message once on each side, without any reload.
  await expect(a.locator(".message", { hasText: "hi bob, live" })).toHaveCount(1);
  expect(await a.evaluate(() => (window as any).__sameDocument)).toBe(true);
  expect(await b.evaluate(() => (window as any).__sameDocument)).toBe(true);

  await b.context().close();
  await expect(a.locator(".online-user", { hasText: bob })).toHaveCount(0);
  expect(problems).toEqual([]);
});

test("a reader who scrolled up keeps their place and gets a New messages button", async ({ browser }) => {
  const reader = uniqueName("reader");
  const writer = uniqueName("writer");
  const w = await openChat(browser, writer);
  seedMessages(writer, Array.from({ length: 60 }, (_, i) => `backlog ${i}`));
  const r = await openChat(browser, reader);
  const pane = r.locator(".message-pane");
  await expect(r.locator(".message[data-id]", { hasText: "backlog 59" })).toBeVisible();

  // At the bottom: a new message scrolls into view by itself.
  await w.getByRole("textbox", { name: "Message" }).fill("first live one");
  await w.keyboard.press("Enter");
  const first = r.locator(".message", { hasText: "first live one" });
  await expect(first).toBeInViewport();
  await expect(r.getByRole("button", { name: /New messages/ })).toHaveCount(0);

  // Scrolled up: the view stays put and a button offers the jump.
  await pane.evaluate((el) => (el.scrollTop = -600));
  const anchor = r.locator(".message[data-id]", { hasText: "backlog 40" });
  const before = await anchor.evaluate((el) => el.getBoundingClientRect().top);
  await w.getByRole("textbox", { name: "Message" }).fill("second live one");
  await w.keyboard.press("Enter");
  const second = r.locator(".message", { hasText: "second live one" });
  await expect(second).toHaveCount(1);
  const jump = r.getByRole("button", { name: /New messages/ });
  await expect(jump).toBeVisible();
  await expect(second).not.toBeInViewport();
  const after = await anchor.evaluate((el) => el.getBoundingClientRect().top);
  expect(Math.abs(after - before)).toBeLessThan(2);

  await jump.click();
  await expect(second).toBeInViewport();
  await expect(jump).toHaveCount(0);
});

test("after the socket is killed and comes back, missed messages appear once", async ({ browser }) => {
  const writer = uniqueName("writer");
  const reader = uniqueName("reader");
  const w = await openChat(browser, writer);
  const context = await browser.newContext();
  const r = await context.newPage();
  await signUp(context.request, reader);

  // The reader's sockets pass through this route, which can cut them.
  let blocked = false;
  const open: { close: () => Promise<void> }[] = [];
  await r.routeWebSocket("**/ws/chat/**", (ws) => {
    if (blocked) {
      ws.close({ code: 1013, reason: "blocked by the test" });
      return;
    }
    ws.connectToServer();
    open.push(ws);
  });
  const problems = watchConsole(r);
  await r.goto("/chat");
  await waitForHydration(r);
  await expect(r.locator(".status-link")).toHaveText("Connected");

  blocked = true;
  await Promise.all(open.map((ws) => ws.close()));
  await expect(r.locator(".status-link")).toHaveText(/Reconnecting in \d+ s|Offline: sending via the server/);
  for (const text of ["missed one", "missed two", "missed three"]) {
    await w.getByRole("textbox", { name: "Message" }).fill(text);
    await w.keyboard.press("Enter");
    await expect(w.locator(".message.own[data-id]", { hasText: text })).toHaveCount(1);
  }
  await expect(r.locator(".message", { hasText: "missed one" })).toHaveCount(0);

  blocked = false;
  await expect(r.locator(".status-link")).toHaveText("Connected", { timeout: 15_000 });
  for (const text of ["missed one", "missed two", "missed three"]) {
    await expect(r.locator(".message", { hasText: text })).toHaveCount(1);
  }
  const ids = await r
    .locator(".message[data-id]")
    .evaluateAll((els) => els.map((e) => Number(e.getAttribute("data-id"))));
  expect(ids).toEqual([...ids].sort((a, b) => a - b));
  expect(new Set(ids).size).toBe(ids.length);
  expect(problems).toEqual([]);
});

test("with the websocket blocked, sending falls back to REST and still reaches others", async ({ browser }) => {
  const reader = await openChat(browser, uniqueName("reader"));
  const context = await browser.newContext();
  const w = await context.newPage();
  await signUp(context.request, uniqueName("offline"));
  await w.routeWebSocket("**/ws/chat/**", (ws) => ws.close({ code: 1013, reason: "blocked" }));
  const posts: string[] = [];
  w.on("request", (r) => {
    if (r.method() === "POST") posts.push(new URL(r.url()).pathname);
  });
  await w.goto("/chat");
  await waitForHydration(w);
  await expect(w.locator(".status-link")).toHaveText(/Reconnecting in \d+ s|Offline: sending via the server/);
  await w.getByRole("textbox", { name: "Message" }).fill("sent the long way");
  await w.keyboard.press("Enter");
  await expect(w.locator(".message.own[data-id]", { hasText: "sent the long way" })).toHaveCount(1);
  expect(posts).toEqual(["/api/chat/messages/"]);
  await expect(reader.locator(".message.other", { hasText: "sent the long way" })).toHaveCount(1);
  // Still down after several attempts: the status bar says how messages go now.
  await expect(w.locator(".status-link")).toHaveText("Offline: sending via the server", {
    timeout: 10_000,
  });
});

test("others see who is typing, and a hidden tab counts unread messages in its title", async ({ browser }) => {
  const ann = uniqueName("ann");
  const a = await openChat(browser, ann);
  const b = await openChat(browser, uniqueName("bob"));
  await a.getByRole("textbox", { name: "Message" }).pressSequentially("thinking");
  await expect(b.locator(".status-typing")).toHaveText(`${ann} is typing...`);
  await expect(a.locator(".status-typing")).toHaveText("");
  await expect(b.locator(".status-typing")).toHaveText("", { timeout: 8_000 });

  // Pretend bob's tab is in the background.
  await b.evaluate(() => {
    Object.defineProperty(document, "hidden", { configurable: true, get: () => true });
    document.dispatchEvent(new Event("visibilitychange"));
  });
  for (const text of ["one", "two", "three"]) {
    await a.getByRole("textbox", { name: "Message" }).fill(`unread ${text}`);
    await a.keyboard.press("Enter");
    await expect(b.locator(".message", { hasText: `unread ${text}` })).toHaveCount(1);
  }
  await expect(b).toHaveTitle(/^\(3\) Chat Room/);
  await b.evaluate(() => {
    Object.defineProperty(document, "hidden", { configurable: true, get: () => false });
    document.dispatchEvent(new Event("visibilitychange"));
  });
  await expect(b).toHaveTitle(/^Chat Room/);
});

test.describe("with a short retention", () => {
  let server: OwnServer;
  test.beforeAll(async () => {
    server = await OwnServer.start({ CHAT_RETENTION: "6s", CHAT_SWEEP_INTERVAL: "1s" });
  });
  test.afterAll(() => server.stop());

  test("an open page drops a message when it expires, without reloading", async ({ browser }) => {
    const page = await openChat(browser, uniqueName("brief"), server.baseURL);
    await expect(page.locator(".retention-note")).toContainText("stored for up to 6 seconds");
    await page.getByRole("textbox", { name: "Message" }).fill("gone in six seconds");
    await page.keyboard.press("Enter");
    const message = page.locator(".message[data-id]", { hasText: "gone in six seconds" });
    await expect(message).toHaveCount(1);
    await expect(message).toHaveCount(0, { timeout: 10_000 });
    expect(await page.evaluate(() => (window as any).__sameDocument)).toBe(true);
    const left = await (await page.context().request.get("/api/chat/messages/")).json();
    expect(left).toEqual([]);
  });
});

