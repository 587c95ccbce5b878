import type { Page } from "@playwright/test";
import { cuttableSockets, notReloaded, openChat, send, setHidden, shownMessages, storedMessages } from "./chat";
import { expect, test, waitForHydration } from "./console";
import { useOwnServer } from "./own_server";
import { seedMessages, signUp, uniqueName } from "./seed";

test("two people see each other's messages live, and who is online", async ({ browser }) => {
  const ann = uniqueName("ann");
  const bob = uniqueName("bob");
  const a = await openChat(browser, ann);
  const b = await openChat(browser, bob);
  await expect(a.locator(".online-user", { hasText: bob })).toBeVisible();
  await expect(b.locator(".online-title")).toContainText(/Online \(\d+\)/);

  await send(a, "hi bob, live");
  const seen = b.locator(".message.other", { hasText: "hi bob, live" });
  await expect(seen).toHaveCount(1);
  await expect(seen.locator(".message-author")).toHaveText(ann);

  await send(b, "hello ann");
  await expect(a.locator(".message.other", { hasText: "hello ann" })).toHaveCount(1);
  // Each message once on each side, without any reload.
  await expect(a.locator(".message", { hasText: "hi bob, live" })).toHaveCount(1);
  expect(await notReloaded(a)).toBe(true);
  expect(await notReloaded(b)).toBe(true);

  await b.context().close();
  await expect(a.locator(".online-user", { hasText: bob })).toHaveCount(0);
});

test("a reader who scrolled up keeps their place and gets a New messages button", async ({ browser }) => {
  const reader = uniqueName("reader");
  const writer = uniqueName("writer");
  const w = await openChat(browser, writer);
  await seedMessages(writer, Array.from({ length: 60 }, (_, i) => `backlog ${i}`));
  const r = await openChat(browser, reader);
  const pane = r.locator(".message-pane");
  await expect(r.locator(".message[data-id]", { hasText: "backlog 59" })).toBeVisible();

  // At the bottom: a new message scrolls into view by itself.
  await send(w, "first live one");
  const first = r.locator(".message", { hasText: "first live one" });
  await expect(first).toBeInViewport();
  await expect(r.getByRole("button", { name: /New messages/ })).toHaveCount(0);

  // Scrolled up: the view stays put and a button offers the jump.
  await pane.evaluate((el) => (el.scrollTop = -600));
  const anchor = r.locator(".message[data-id]", { hasText: "backlog 40" });
  const before = await anchor.evaluate((el) => el.getBoundingClientRect().top);
  await send(w, "second live one");
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

test("after the socket is killed and comes back, missed messages appear once, and edits and deletions made meanwhile show", async ({ browser }) => {
  const writer = uniqueName("writer");
  const reader = uniqueName("reader");
  const w = await openChat(browser, writer);
  const context = await browser.newContext();
  const r = await context.newPage();
  await signUp(context.request, reader);

  // The reader's sockets pass through this route, which can cut them.
  const sockets = await cuttableSockets(r);
  const seen: number[] = [];
  for (const text of ["seen then edited", "seen then deleted"]) {
    const res = await w.request.post("/api/chat/messages/", { data: { content: text } });
    expect(res.status()).toBe(201);
    seen.push((await res.json()).id);
  }
  await r.goto("/chat");
  await waitForHydration(r);
  await expect(r.locator(".status-link")).toHaveText("Connected");
  await expect(r.locator(".message", { hasText: "seen then deleted" })).toHaveCount(1);

  await sockets.cut();
  await expect(r.locator(".status-link")).toHaveText(/Reconnecting in \d+ s|Offline: sending via the server/);
  for (const text of ["missed one", "missed two", "missed three"]) {
    await send(w, text);
    await expect(w.locator(".message.own[data-id]", { hasText: text })).toHaveCount(1);
  }
  // Changes to messages the reader already has: the catch-up does not
  // carry them, the page re-reads its newest messages on reconnecting.
  const edited = await w.request.patch(`/api/chat/messages/${seen[0]}/`, { data: { content: "edited while away" } });
  expect(edited.status()).toBe(200);
  expect((await w.request.delete(`/api/chat/messages/${seen[1]}/`)).status()).toBe(204);
  await expect(r.locator(".message", { hasText: "missed one" })).toHaveCount(0);
  await expect(r.locator(".message", { hasText: "seen then deleted" })).toHaveCount(1);

  sockets.restore();
  await expect(r.locator(".status-link")).toHaveText("Connected", { timeout: 15_000 });
  for (const text of ["missed one", "missed two", "missed three"]) {
    await expect(r.locator(".message", { hasText: text })).toHaveCount(1);
  }
  await expect(r.locator(`.message[data-id="${seen[0]}"]`)).toContainText("edited while away");
  await expect(r.locator(".message", { hasText: "seen then deleted" })).toHaveCount(0);
  const ids = (await shownMessages(r)).map((m) => m.id);
  expect(ids).toEqual([...ids].sort((a, b) => a - b));
  expect(new Set(ids).size).toBe(ids.length);
});

test("with the websocket blocked, sending falls back to REST and still reaches others", async ({ browser }) => {
  const reader = await openChat(browser, uniqueName("reader"));
  const context = await browser.newContext();
  const w = await context.newPage();
  const offline = uniqueName("offline");
  await signUp(context.request, offline);
  await w.routeWebSocket("**/ws/chat/**", (ws) => ws.close({ code: 1013, reason: "blocked" }));
  const posts: string[] = [];
  w.on("request", (r) => {
    // Only the sending: the page also reports how far its reader has read.
    if (r.method() === "POST" && r.url().includes("/api/chat/")) posts.push(new URL(r.url()).pathname);
  });
  await w.goto("/chat");
  await waitForHydration(w);
  await expect(w.locator(".status-link")).toHaveText(/Reconnecting in \d+ s|Offline: sending via the server/);
  await send(w, "sent the long way");
  await expect(w.locator(".message.own[data-id]", { hasText: "sent the long way" })).toHaveCount(1);
  expect(posts).toEqual(["/api/chat/messages/"]);
  const received = reader.locator(".message.other", { hasText: "sent the long way" });
  await expect(received).toHaveCount(1);
  await expect(received.locator(".message-author")).toHaveText(offline);
  // Still down after several attempts: the status bar says how messages go now.
  await expect(w.locator(".status-link")).toHaveText("Offline: sending via the server", {
    timeout: 10_000,
  });
});

// A room of its own: messages other tests post meanwhile would count as unread.
test.describe("in a room of its own", () => {
  const server = useOwnServer();

  test("others see who is typing, and a hidden tab counts unread messages in its title", async ({ browser }) => {
    const ann = uniqueName("ann");
    const a = await openChat(browser, ann, server.baseURL);
    const b = await openChat(browser, uniqueName("bob"), server.baseURL);
    await a.getByRole("textbox", { name: "Message" }).pressSequentially("thinking");
    await expect(b.locator(".status-typing")).toHaveText(`${ann} is typing...`);
    await expect(a.locator(".status-typing")).toHaveText("");
    await expect(b.locator(".status-typing")).toHaveText("", { timeout: 8_000 });

    // Pretend bob's tab is in the background.
    await setHidden(b, true);
    for (const text of ["one", "two", "three"]) {
      await send(a, `unread ${text}`);
      await expect(b.locator(".message", { hasText: `unread ${text}` })).toHaveCount(1);
    }
    await expect(b).toHaveTitle(/^\(3\) Chat Room/);
    await setHidden(b, false);
    await expect(b).toHaveTitle(/^Chat Room/);
  });

  test("a tab in the background that reconnects leaves what it has not shown unread", async ({ browser }) => {
    const writer = await openChat(browser, uniqueName("writer"), server.baseURL);
    const context = await browser.newContext({ baseURL: server.baseURL });
    await signUp(context.request, uniqueName("reader"));
    const r = await context.newPage();
    const sockets = await cuttableSockets(r);
    await send(writer, "seen before leaving");
    await expect(writer.locator(".message.own[data-id]", { hasText: "seen before leaving" })).toHaveCount(1);
    await r.goto("/chat");
    await waitForHydration(r);
    await expect(r.locator(".status-link")).toHaveText("Connected");
    await setHidden(r, true);

    await sockets.cut();
    await expect(r.locator(".status-link")).toHaveText(/Reconnecting in \d+ s|Offline: sending via the server/);
    await send(writer, "written while away");
    await expect(writer.locator(".message.own[data-id]", { hasText: "written while away" })).toHaveCount(1);
    // On reconnecting, the page re-reads its newest messages (for edits and
    // deletions made meanwhile): that must not count them as read.
    const reread = r.waitForResponse((res) => /\/api\/chat\/(page|older)/.test(res.url()));
    sockets.restore();
    await expect(r.locator(".status-link")).toHaveText("Connected", { timeout: 15_000 });
    await expect(r.locator(".message", { hasText: "written while away" })).toHaveCount(1);
    await reread;

    const again = await context.newPage();
    await again.goto("/chat");
    const divider = again.getByRole("separator", { name: "New messages" });
    await expect(divider).toHaveCount(1);
    await expect(again.locator(".message[data-id]", { has: divider })).toContainText("written while away");
  });
});

test.describe("with a short retention", () => {
  const server = useOwnServer({ CHAT_RETENTION: "6s", CHAT_SWEEP_INTERVAL: "1s" });

  test("an expired message leaves open pages, and a reload does not bring it back", async ({ browser }) => {
    const writer = await openChat(browser, uniqueName("brief"), server.baseURL);
    const reader = await openChat(browser, uniqueName("reader"), server.baseURL);
    await expect(reader.locator(".retention-note")).toContainText("stored for up to 6 seconds");
    await send(writer, "gone in six seconds");
    const shown = (page: Page) => page.locator(".message[data-id]", { hasText: "gone in six seconds" });
    await expect(shown(writer)).toHaveCount(1);
    await expect(shown(reader)).toHaveCount(1);
    const page = async () => (await reader.context().request.get("/chat")).text();
    expect(await page()).toContain("gone in six seconds");

    for (const open of [writer, reader]) {
      await expect(shown(open)).toHaveCount(0, { timeout: 10_000 });
      expect(await notReloaded(open)).toBe(true);
    }
    expect(await storedMessages(reader)).toEqual([]);
    expect(await page()).not.toContain("gone in six seconds");
    await reader.reload();
    await waitForHydration(reader);
    await expect(reader.locator(".empty-note")).toHaveText("No messages yet. Start the conversation!");
    await expect(shown(reader)).toHaveCount(0);
  });
});

test("a message sent over REST while the socket is down never hides one stored just before it", async ({ browser }) => {
  const other = await openChat(browser, uniqueName("other"));
  const context = await browser.newContext();
  const page = await context.newPage();
  await signUp(context.request, uniqueName("sender"));
  const sockets = await cuttableSockets(page);
  await page.goto("/chat");
  await waitForHydration(page);
  await expect(page.locator(".status-link")).toHaveText("Connected");

  await sockets.cut();
  await expect(page.locator(".status-link")).toHaveText(/Reconnecting in \d+ s|Offline: sending via the server/);
  // Someone else's message is stored first; then ours goes over REST and
  // comes back with a higher id than anything the page has received.
  await send(other, "stored while the socket was down");
  await expect(other.locator(".message.own[data-id]", { hasText: "stored while the socket was down" })).toHaveCount(1);
  await send(page, "sent over REST");
  await expect(page.locator(".message.own[data-id]", { hasText: "sent over REST" })).toHaveCount(1);

  sockets.restore();
  await expect(page.locator(".status-link")).toHaveText("Connected", { timeout: 15_000 });
  const missed = page.locator(".message[data-id]", { hasText: "stored while the socket was down" });
  await expect(missed).toHaveCount(1);
  const shown = await shownMessages(page);
  const ids = shown.map((m) => m.id);
  expect(ids).toEqual([...ids].sort((a, b) => a - b));
  expect(new Set(ids).size).toBe(ids.length);
  const order = shown.map((m) => m.content);
  expect(order.indexOf("stored while the socket was down")).toBeLessThan(order.indexOf("sent over REST"));
});

test("when the session ends elsewhere, the open page goes to the sign-in page", async ({ browser }) => {
  const page = await openChat(browser, uniqueName("leaver"));
  // Signed out from another tab of the same browser.
  const res = await page.context().request.post("/api/auth/logout");
  expect(res.status()).toBe(204);
  await expect(page).toHaveURL(/\/login\?next=(%2F|\/)chat$/, { timeout: 5_000 });
  await expect(page.locator(".title-bar-text")).toHaveText("Log On to chat98");
});
