// Driving chat98's pages the way a person does: fill the sign-in dialog,
// open the chat window signed in, type and press Enter, read the pane.
import type { Browser, Page } from "@playwright/test";
import { expect, waitForHydration } from "./console";
import { signUp } from "./seed";

/** Fills the Log On / Create Account dialog (without submitting it). */
export async function fillCredentials(page: Page, username: string, password: string) {
  await page.getByLabel("User name:").fill(username);
  await page.getByLabel("Password:").fill(password);
}

/**
 * Signs `name` up in a context of its own and opens a hydrated, connected
 * chat page; the page is marked so that a later reload would show.
 */
export async function openChat(browser: Browser, name: string, baseURL?: string): Promise<Page> {
  const context = await browser.newContext(baseURL ? { baseURL } : {});
  const page = await context.newPage();
  await signUp(context.request, name);
  await page.goto("/chat");
  await waitForHydration(page);
  await expect(page.locator(".status-link")).toHaveText("Connected");
  await page.evaluate(() => ((window as any).__sameDocument = true));
  return page;
}

/** True while `page` is still the document `openChat` opened (no reload). */
export async function notReloaded(page: Page): Promise<boolean> {
  return page.evaluate(() => (window as any).__sameDocument === true);
}

/** Types `text` into the composer and presses Enter. */
export async function send(page: Page, text: string) {
  await page.getByRole("textbox", { name: "Message" }).fill(text);
  await page.keyboard.press("Enter");
}

export type Shown = { id: number; author: string; content: string; own: boolean };

/** The stored messages the pane shows, top to bottom. */
export async function shownMessages(page: Page): Promise<Shown[]> {
  return page.locator(".message[data-id]").evaluateAll((els) =>
    els.map((el) => ({
      id: Number(el.getAttribute("data-id")),
      author: el.querySelector(".message-author")?.textContent ?? "",
      content: el.querySelector(".message-content")?.textContent ?? "",
      own: el.classList.contains("own"),
    })),
  );
}

export type Stored = { id: number; user: { id: number; username: string }; content: string };

/** The messages the REST API has, as the session of `page` reads them. */
export async function storedMessages(page: Page): Promise<Stored[]> {
  const res = await page.context().request.get("/api/chat/messages/?limit=500");
  expect(res.status()).toBe(200);
  return res.json();
}

/**
 * Routes `page`'s chat sockets through the test (call it before the page
 * opens /chat): `cut()` closes the open ones and refuses new ones with 1013
 * until `restore()`.
 */
export async function cuttableSockets(page: Page) {
  let blocked = false;
  const open: { close: () => Promise<void> }[] = [];
  await page.routeWebSocket("**/ws/chat/**", (ws) => {
    if (blocked) {
      ws.close({ code: 1013, reason: "blocked by the test" });
      return;
    }
    ws.connectToServer();
    open.push(ws);
  });
  return {
    cut: async () => {
      blocked = true;
      await Promise.all(open.splice(0).map((ws) => ws.close()));
    },
    restore: () => {
      blocked = false;
    },
  };
}

/** Plays `page`'s tab going to the background (or coming back). */
export async function setHidden(page: Page, hidden: boolean) {
  await page.evaluate((h) => {
    Object.defineProperty(document, "hidden", { configurable: true, get: () => h });
    document.dispatchEvent(new Event("visibilitychange"));
  }, hidden);
}
