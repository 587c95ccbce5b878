import type { Page } from "@playwright/test";
import { shownMessages, storedMessages } from "./chat";
import { expect, test, waitForHydration } from "./console";
import { useOwnServer } from "./own_server";
import { seedMessages, signUp, uniqueName } from "./seed";

/** Refuses every websocket of `page`, so it sends over the REST API. */
async function blockWebsocket(page: Page) {
  await page.routeWebSocket("**/ws/chat/**", (ws) => ws.close({ code: 1013, reason: "blocked" }));
}

test("with JavaScript a message shows as pending, then stored, without a reload", async ({ page }) => {
  const me = uniqueName("sender");
  await signUp(page.context().request, me);
  // Hold the server's answers about the first message so its pending state
  // can be seen.
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  await page.routeWebSocket("**/ws/chat/**", (ws) => {
    const server = ws.connectToServer();
    server.onMessage(async (frame) => {
      if (typeof frame === "string" && frame.includes("hello from the browser")) await gate;
      ws.send(frame);
    });
  });
  await page.goto("/chat");
  await waitForHydration(page);
  await expect(page.locator(".status-link")).toHaveText("Connected");
  await page.evaluate(() => ((window as any).__sameDocument = true));

  const input = page.getByRole("textbox", { name: "Message" });
  await input.fill("hello from the browser");
  await input.press("Enter");
  const pending = page.locator(".message.pending");
  await expect(pending.locator(".message-content")).toHaveText("hello from the browser");
  await expect(pending.locator(".message-bubble")).toHaveCSS("opacity", "0.7");
  await expect(input).toHaveValue("");
  await expect(input).toBeFocused();

  release();
  const stored = page.locator(".message.own[data-id]", { hasText: "hello from the browser" });
  await expect(stored).toHaveCount(1);
  await expect(pending).toHaveCount(0);
  await expect(stored.locator(".message-author")).toHaveText(me);
  await expect(stored.locator("time")).toHaveText(/^\d\d:\d\d$/);
  expect(await page.evaluate(() => (window as any).__sameDocument)).toBe(true);

  // Shift+Enter is a newline; the Send button sends too, and focus returns.
  await input.fill("line one");
  await input.press("Shift+Enter");
  await input.pressSequentially("line two");
  await expect(input).toHaveValue("line one\nline two");
  await page.getByRole("button", { name: "Send" }).click();
  const multiline = page.locator(".message.own[data-id]", { hasText: "line one" });
  await expect(multiline.locator(".message-content")).toHaveText("line one\nline two");
  await expect(input).toBeFocused();
  expect(await page.evaluate(() => (window as any).__sameDocument)).toBe(true);

  // Markup typed into the box stays text.
  await input.fill("<img src=x onerror=\"window.__owned=1\"><b>bold</b>");
  await input.press("Enter");
  await expect(page.locator(".message.own[data-id]", { hasText: "<b>bold</b>" })).toHaveCount(1);
  await expect(page.locator(".message-content b, .message-content img")).toHaveCount(0);
  expect(await page.evaluate(() => (window as any).__owned)).toBeUndefined();
});

test("a message that fails to send is marked, and Retry stores it once", async ({ page, consoleGuard }) => {
  consoleGuard.allow(/ERR_CONNECTION_RESET/);
  const me = uniqueName("retry");
  await signUp(page.context().request, me);
  // No websocket: sending goes over POST /api/chat/messages/. The first
  // attempt reaches the server, but its answer is lost on the way back.
  await blockWebsocket(page);
  await page.goto("/chat");
  await waitForHydration(page);
  await expect(page.locator(".status-link")).toHaveText(/Reconnecting in \d+ s|Offline: sending via the server/);
  let attempts = 0;
  await page.route("**/api/chat/messages/", async (route) => {
    attempts += 1;
    if (attempts === 1) {
      await route.fetch();
      await route.abort("connectionreset");
    } else {
      await route.continue();
    }
  });
  const input = page.getByRole("textbox", { name: "Message" });
  await input.fill("lost answer");
  await input.press("Enter");
  const failed = page.locator(".message.failed");
  await expect(failed).toContainText("lost answer");
  await expect(failed.getByRole("alert")).toContainText(/./);
  await failed.getByRole("button", { name: "Retry" }).click();

  const stored = page.locator(".message.own[data-id]", { hasText: "lost answer" });
  await expect(stored).toHaveCount(1);
  await expect(failed).toHaveCount(0);
  expect(attempts).toBe(2);
  // The server has it exactly once although it received it twice.
  const all = await storedMessages(page);
  expect(all.filter((m) => m.content === "lost answer")).toHaveLength(1);
});

test.describe("in a room of its own", () => {
  // Counting a long history needs a room no other test writes into.
  const server = useOwnServer();

  test("scrolling up loads older messages and keeps the reader's place", async ({ browser }) => {
    const context = await browser.newContext({ baseURL: server.baseURL });
    const page = await context.newPage();
    const me = uniqueName("scroller");
    await signUp(context.request, me);
    await seedMessages(
      me,
      Array.from({ length: 300 }, (_, i) => `history ${String(i).padStart(3, "0")}`),
      server.baseURL,
    );
    await page.goto("/chat");
    await waitForHydration(page);
    const bubbles = page.locator(".message[data-id]");
    await expect(bubbles).toHaveCount(100);
    await expect(bubbles.last()).toContainText("history 299");

    const pane = page.locator(".message-pane");
    // Hold each page of older messages until the reader's position is noted.
    let release: () => void = () => {};
    await page.route("**/api/chat/older*", async (route) => {
      await new Promise<void>((resolve) => (release = resolve));
      await route.continue();
    });
    const anchor = page.locator(".message[data-id]", { hasText: "history 250" });
    for (const expected of [200, 300]) {
      await pane.evaluate((el) => (el.scrollTop = -el.scrollHeight));
      await expect(page.getByText("Loading older messages...")).toBeVisible();
      const before = await anchor.evaluate((el) => el.getBoundingClientRect().top);
      release();
      await expect(bubbles).toHaveCount(expected);
      // Loading above the reader does not move what they are looking at
      // (once the page has settled: the position is restored after layout).
      await expect
        .poll(async () => Math.abs((await anchor.evaluate((el) => el.getBoundingClientRect().top)) - before))
        .toBeLessThan(2);
    }
    await expect(bubbles.first()).toContainText("history 000");
    await page.unroute("**/api/chat/older*");
    await pane.evaluate((el) => (el.scrollTop = -el.scrollHeight));
    await expect(page.getByText("This is the beginning of the conversation.")).toBeVisible();
    await expect(bubbles).toHaveCount(300);
    const ids = (await shownMessages(page)).map((m) => m.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(300);
  });
});

test("bidi controls in a message cannot reorder anything outside its bubble", async ({ browser }) => {
  const name = uniqueName("bidi");
  const context = await browser.newContext();
  const page = await context.newPage();
  await signUp(context.request, name);
  await seedMessages(name, ["\u202Eevil reversed", "\u2067isolate opened, never closed", "plain after"]);
  await page.goto("/chat");
  await waitForHydration(page);

  // The suite's server is shared: only this test's bubbles count.
  const bubbles = page
    .locator(".message[data-id]")
    .filter({ has: page.locator(".message-author", { hasText: name }) });
  await expect(bubbles).toHaveCount(3);
  for (const content of await bubbles.locator(".message-content").all()) {
    // Each bubble's text is a bidi island: whatever controls it holds end with it.
    await expect(content).toHaveAttribute("dir", "auto");
    expect(await content.evaluate((el) => getComputedStyle(el).unicodeBidi)).toBe("isolate");
  }
  // What is around the text keeps its order: the author's name reads left to
  // right in every bubble, and so does the next message.
  const leftToRight = (el: Element) => {
    const text = el.firstChild as Text;
    const at = (i: number) => {
      const range = document.createRange();
      range.setStart(text, i);
      range.setEnd(text, i + 1);
      return range.getBoundingClientRect().left;
    };
    return at(0) < at(text.length - 1);
  };
  for (const author of await bubbles.locator(".message-author").all()) {
    expect(await author.evaluate(leftToRight)).toBe(true);
  }
  const plain = bubbles.locator(".message-content", { hasText: "plain after" });
  expect(await plain.evaluate(leftToRight)).toBe(true);
  // The reversed text stays inside its own bubble.
  const evil = bubbles.filter({ hasText: "evil reversed" });
  const box = (await evil.locator(".message-bubble").boundingBox())!;
  const text = (await evil.locator(".message-content").boundingBox())!;
  expect(text.x).toBeGreaterThanOrEqual(box.x);
  expect(text.x + text.width).toBeLessThanOrEqual(box.x + box.width + 0.5);
});
