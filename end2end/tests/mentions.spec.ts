// Never miss a message: @mentions (bold, the reader's bubble highlighted,
// completed in the composer with the keyboard), the chime (observed through
// WebAudio), desktop notifications (observed through a stand-in
// `Notification`), the unread divider and the title's count.
import type { Browser, Page } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";
import { openChat, send } from "./chat";
import { expect, test, waitForHydration } from "./console";
import { useOwnServer } from "./own_server";
import { signUp, uniqueName } from "./seed";

// A room of its own: the title's count and the alerts see only these tests.
const server = useOwnServer();

type Prefs = { sound: string; notifications: string; show_typing: boolean };

/**
 * Before any page script: records every oscillator started (the chime) and
 * every notification shown, lets `__hide(true/false)` play a hidden tab, and
 * answers the permission prompt with "granted".
 */
function observeAlerts() {
  const w = window as any;
  w.__notes = [];
  w.__notifications = [];
  const Real = w.AudioContext;
  w.AudioContext = class extends Real {
    createOscillator() {
      const osc = super.createOscillator();
      const start = osc.start.bind(osc);
      osc.start = (when?: number) => {
        w.__notes.push(osc.frequency.value);
        return start(when);
      };
      return osc;
    }
  };
  class FakeNotification {
    static permission = "granted";
    static requestPermission() {
      return Promise.resolve("granted");
    }
    onclick: (() => void) | null = null;
    constructor(title: string, options: { body?: string }) {
      w.__notifications.push({ title, body: options?.body ?? "" });
      w.__lastNotification = this;
    }
    close() {}
  }
  w.Notification = FakeNotification;
  let hidden = false;
  Object.defineProperty(document, "hidden", { get: () => hidden });
  Object.defineProperty(document, "visibilityState", {
    get: () => (hidden ? "hidden" : "visible"),
  });
  w.__hide = (value: boolean) => {
    hidden = value;
    document.dispatchEvent(new Event("visibilitychange"));
  };
}

/** A signed-up user's hydrated chat page with alerts observed. */
async function openObserved(browser: Browser, name: string, prefs?: Prefs): Promise<Page> {
  const context = await browser.newContext({ baseURL: server.baseURL });
  await context.addInitScript(observeAlerts);
  await signUp(context.request, name);
  if (prefs) {
    const res = await context.request.put("/api/me/preferences", { data: prefs });
    expect(res.status()).toBe(200);
  }
  const page = await context.newPage();
  await page.goto("/chat");
  await waitForHydration(page);
  await expect(page.locator(".status-link")).toHaveText("Connected");
  // Browsers allow sound once the user has clicked in the page.
  await page.getByRole("textbox", { name: "Message" }).click();
  return page;
}

const notes = (page: Page) => page.evaluate(() => (window as any).__notes.length as number);
const shown = (page: Page) =>
  page.evaluate(() => (window as any).__notifications as { title: string; body: string }[]);
const hide = (page: Page, hidden: boolean) =>
  page.evaluate((h) => (window as any).__hide(h), hidden);

test("the composer completes names with the keyboard alone", async ({ browser }) => {
  const stem = uniqueName("zq").slice(0, 10);
  const online = `${stem}_on`;
  await openChat(browser, online, server.baseURL);
  const writer = await openChat(browser, `${stem}_wr`, server.baseURL);
  const box = writer.getByRole("textbox", { name: "Message" });
  await box.focus();
  await writer.keyboard.type(`hi @${stem.slice(0, 1)}`);
  await expect(writer.getByRole("listbox")).toHaveCount(0); // one character: not yet
  await writer.keyboard.type(stem.slice(1));
  const list = writer.getByRole("listbox", { name: "People to mention" });
  await expect(list).toBeVisible();
  // The online user first; never the writer.
  await expect(list.getByRole("option")).toHaveText([online]);
  await expect(list.getByRole("option", { selected: true })).toHaveText(online);
  expect(await box.getAttribute("aria-activedescendant")).toBe("mention-option-0");
  await writer.keyboard.press("Escape");
  await expect(list).toHaveCount(0);
  await expect(box).toHaveValue(`hi @${stem}`);
  await writer.keyboard.press("Backspace");
  await writer.keyboard.type(stem.slice(-1));
  await expect(list).toBeVisible();
  await writer.keyboard.press("ArrowDown");
  await writer.keyboard.press("Tab");
  await expect(box).toHaveValue(`hi @${online} `);
  await expect(list).toHaveCount(0);
  await writer.keyboard.type("and ");
  await writer.keyboard.type(`@${stem}`);
  await expect(list).toBeVisible();
  await writer.keyboard.press("Enter"); // picks, does not send
  await expect(box).toHaveValue(`hi @${online} and @${online} `);
  await writer.keyboard.press("Enter"); // now sends
  await expect(box).toHaveValue("");
  const mention = writer.locator(".message.own .mention").first();
  await expect(mention).toHaveText(`@${online}`);
});

test("a mention is bold everywhere and highlighted on the page of whoever it names", async ({
  browser,
  consoleGuard,
}) => {
  // The page without JavaScript never uses the WASM its head preloads.
  consoleGuard.allow(/\.wasm was preloaded using link preload but not used/);
  const reader = await openObserved(browser, uniqueName("named"));
  const readerName = (await reader.locator(".status-user").textContent())!.replace("Signed in as ", "");
  const writer = await openChat(browser, uniqueName("writer"), server.baseURL);
  const marker = uniqueName("hello");
  await send(writer, `${marker} @${readerName.toUpperCase()} look`);

  const bubble = reader.locator(".message[data-id]", { hasText: marker });
  await expect(bubble).toHaveClass(/mentions-me/);
  await expect(bubble.locator("strong.mention")).toHaveText(`@${readerName.toUpperCase()}`);
  const own = writer.locator(".message[data-id]", { hasText: marker });
  await expect(own.locator("strong.mention")).toHaveCount(1);
  await expect(own).not.toHaveClass(/mentions-me/);
  // Readable: axe's colour contrast passes on the highlighted bubble.
  const results = await new AxeBuilder({ page: reader }).include(".message.mentions-me").analyze();
  expect(results.violations).toEqual([]);

  // Visible tab, a mention: the chime plays; a plain message does not chime.
  await expect.poll(() => notes(reader)).toBeGreaterThan(0);
  const before = await notes(reader);
  const plainMarker = uniqueName("plain");
  await send(writer, `${plainMarker} no names`);
  await expect(reader.locator(".message[data-id]", { hasText: plainMarker })).toHaveCount(1);
  expect(await notes(reader)).toBe(before);

  // Without JavaScript, the server renders the same bold name and highlight.
  const noJs = await browser.newContext({ javaScriptEnabled: false, baseURL: server.baseURL });
  await noJs.addCookies(await reader.context().cookies());
  const plain = await noJs.newPage();
  await plain.goto("/chat");
  const served = plain.locator(".message[data-id]", { hasText: marker });
  await expect(served).toHaveClass(/mentions-me/);
  await expect(served.locator("strong.mention")).toHaveCount(1);
});

test("a hidden tab chimes, notifies, counts in its title and shows the unread divider", async ({
  browser,
}) => {
  const readerName = uniqueName("away");
  const reader = await openObserved(browser, readerName, {
    sound: "all",
    notifications: "all",
    show_typing: true,
  });
  const writerName = uniqueName("talker");
  const writer = await openChat(browser, writerName, server.baseURL);
  const seen = uniqueName("seen");
  await send(writer, `${seen} while you watch`);
  await expect(reader.locator(".message[data-id]", { hasText: seen })).toHaveCount(1);
  expect(await notes(reader)).toBe(0); // visible, no mention: silent
  await expect(reader.locator(".unread-divider")).toHaveCount(0);

  await hide(reader, true);
  const first = uniqueName("first");
  await send(writer, `${first} ${"long ".repeat(30)}`);
  await send(writer, "second");
  await expect(reader).toHaveTitle(/^\(2\) Chat Room/);
  await expect.poll(() => notes(reader)).toBeGreaterThan(0);
  await expect.poll(async () => (await shown(reader)).length).toBeGreaterThan(0);
  const last = (await shown(reader)).at(-1)!;
  expect(last.title).toBe(writerName);
  await send(writer, `@${readerName} you there?`);
  await expect(reader).toHaveTitle(/^\(@\) Chat Room/);

  await hide(reader, false);
  await expect(reader).toHaveTitle(/^Chat Room/);
  const divider = reader.getByRole("separator", { name: "New messages" });
  await expect(divider).toHaveCount(1);
  // It sits right above the first message that arrived while away.
  const row = reader.locator(".message[data-id]", { has: divider });
  await expect(row).toContainText(first);
  await send(reader, "back now");
  await expect(divider).toHaveCount(0);
});

test("notifications say who and what, and clicking one brings the tab back", async ({
  browser,
}) => {
  const reader = await openObserved(browser, uniqueName("notified"), {
    sound: "off",
    notifications: "all",
    show_typing: true,
  });
  const writerName = uniqueName("author");
  const writer = await openChat(browser, writerName, server.baseURL);
  await hide(reader, true);
  await send(writer, "x".repeat(150));
  await expect.poll(async () => (await shown(reader)).length).toBe(1);
  const [n] = await shown(reader);
  expect(n.title).toBe(writerName);
  expect(n.body).toBe(`${"x".repeat(99)}…`);
  expect(await notes(reader)).toBe(0); // sound is off
  await reader.evaluate(() => (window as any).__lastNotification.onclick());
  // Own messages never notify.
  await send(reader, "mine");
  await expect(reader.locator(".message.own[data-id]")).toHaveCount(1);
  expect((await shown(reader)).length).toBe(1);
});

test("with Show typing off, a user neither sees nor sends typing", async ({ browser }) => {
  const quietName = uniqueName("quiet");
  const quiet = await openObserved(browser, quietName, {
    sound: "mentions",
    notifications: "off",
    show_typing: false,
  });
  const watcherName = uniqueName("watcher");
  const watcher = await openChat(browser, watcherName, server.baseURL);
  const typistName = uniqueName("typist");
  const typist = await openChat(browser, typistName, server.baseURL);
  // Everything the watcher's status bar says about typing, as it changes.
  await watcher.evaluate(() => {
    const w = window as any;
    w.__typing = [];
    const field = document.querySelector(".status-typing")!;
    new MutationObserver(() => w.__typing.push(field.textContent)).observe(field, {
      subtree: true,
      childList: true,
      characterData: true,
    });
  });
  // The quiet user types first, then the typist: the watcher hears only the typist.
  await quiet.getByRole("textbox", { name: "Message" }).pressSequentially("psst");
  await typist.getByRole("textbox", { name: "Message" }).pressSequentially("hello");
  await expect(watcher.locator(".status-typing")).toHaveText(`${typistName} is typing...`);
  await expect(quiet.locator(".status-typing")).toHaveText("");
  const heard: string[] = await watcher.evaluate(() => (window as any).__typing);
  expect(heard.filter((t) => t.includes(quietName))).toEqual([]);
});
