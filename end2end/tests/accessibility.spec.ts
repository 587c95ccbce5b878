// Accessibility: axe-core finds nothing serious, new messages are read out
// through a live region, and everything works from the keyboard with the
// Win98 dotted focus rectangle showing where the focus is.
import type { Locator } from "@playwright/test";
import { fillCredentials, openChat, send } from "./chat";
import { seriousViolations } from "./axe";
import { expect, test } from "./console";
import { useOwnServer } from "./own_server";
import { PASSWORD, signUp, uniqueName } from "./seed";

/** The Win98 focus rectangle: a 1 px black dotted outline. */
async function expectDottedFocus(target: Locator) {
  await expect(target).toBeFocused();
  await expect(target).toHaveCSS("outline-style", "dotted");
  await expect(target).toHaveCSS("outline-width", "1px");
  await expect(target).toHaveCSS("outline-color", "rgb(0, 0, 0)");
}

/**
 * A title-bar button's focus rectangle: drawn inside its painted 16x14
 * bevel (the `::before`), not around its larger 24x24 target.
 */
async function expectDottedFocusInBevel(target: Locator) {
  await expect(target).toBeFocused();
  const outline = await target.evaluate((el) => {
    const style = getComputedStyle(el, "::before");
    return [style.outlineStyle, style.outlineWidth, style.outlineColor];
  });
  expect(outline).toEqual(["dotted", "1px", "rgb(0, 0, 0)"]);
}

/** The menu bar's first title: the bar's one Tab stop, highlighted navy. */
async function expectHighlightedTitle(target: Locator) {
  await expect(target).toBeFocused();
  await expect(target).toHaveCSS("background-color", "rgb(0, 0, 128)");
  await expect(target).toHaveCSS("color", "rgb(255, 255, 255)");
}

test.describe("axe-core", () => {
  test("finds nothing serious on /login and /register, blank or with errors", async ({ page, consoleGuard }) => {
    // 400 and 401: the refused sign-up and sign-in below.
    consoleGuard.allow(400, 401);
    await page.goto("/login");
    expect(await seriousViolations(page)).toEqual([]);
    await fillCredentials(page, uniqueName("nobody"), "wrong password");
    await page.getByRole("button", { name: "OK" }).click();
    await expect(page.getByRole("alert")).toHaveText("Invalid username or password.");
    expect(await seriousViolations(page)).toEqual([]);

    await page.goto("/register");
    expect(await seriousViolations(page)).toEqual([]);
    await fillCredentials(page, "x", "short");
    await page.getByRole("button", { name: "OK" }).click();
    await expect(page.locator("#password-errors")).toHaveText("Use at least 8 characters.");
    expect(await seriousViolations(page)).toEqual([]);
  });

  test("finds nothing serious on /chat, signed in, with messages from both sides", async ({ browser }) => {
    const me = await openChat(browser, uniqueName("axe"));
    const other = await openChat(browser, uniqueName("other"));
    await send(me, "a message of my own");
    await send(other, "and one from someone else");
    await expect(me.locator(".message.other[data-id]", { hasText: "and one from someone else" })).toHaveCount(1);
    expect(await seriousViolations(me)).toEqual([]);
  });

  test("finds nothing serious with a menu of the menu bar open", async ({ browser }) => {
    const page = await openChat(browser, uniqueName("axemenu"));
    await page.keyboard.press("Alt+O");
    await expect(page.getByRole("menu", { name: "Options" })).toBeVisible();
    expect(await seriousViolations(page)).toEqual([]);
    await page.keyboard.press("ArrowLeft");
    await expect(page.getByRole("menu", { name: "File" })).toBeVisible();
    expect(await seriousViolations(page)).toEqual([]);
  });
});

test.describe("in a room of its own", () => {
  // The live region says the latest arrival, and the Tab order depends on
  // what the pane holds: no other test may write here.
  const server = useOwnServer();

  test("messages from others are announced through a polite live region, one's own are not", async ({
    browser,
  }) => {
    const bob = uniqueName("bob");
    const reader = await openChat(browser, uniqueName("reader"), server.baseURL);
    const writer = await openChat(browser, bob, server.baseURL);
    const announcer = reader.locator('[aria-live="polite"]', { hasText: "New message from" });

    await send(writer, "hello, screen readers");
    await expect(announcer).toHaveText(`New message from ${bob}: hello, screen readers`);
    await expect(announcer).toHaveAttribute("role", "status");
    // Read out once, by the announcer: the bubbles are not in a live region.
    const bubble = reader.locator(".message[data-id]", { hasText: "hello, screen readers" });
    expect(
      await bubble.evaluate((el) => el.closest('[aria-live], [role="log"], [role="status"], [role="alert"]')),
    ).toBeNull();

    await send(reader, "my own words");
    await expect(reader.locator(".message.own[data-id]", { hasText: "my own words" })).toHaveCount(1);
    await send(writer, "second news");
    await expect(announcer).toHaveText(`New message from ${bob}: second news`);
    await expect(reader.locator('[aria-live="polite"]', { hasText: "my own words" })).toHaveCount(0);
  });

  test("keyboard alone: sign in, Tab through the window, send with Enter, log off", async ({ browser }) => {
    const name = uniqueName("keys");
    const context = await browser.newContext({ baseURL: server.baseURL });
    await signUp(context.request, name);
    await context.clearCookies();
    const page = await context.newPage();
    await page.goto("/login");

    // The dialog in Tab order, each stop with the dotted rectangle.
    const username = page.getByLabel("User name:");
    const password = page.getByLabel("Password:");
    await expectDottedFocus(username);
    await page.keyboard.type(name);
    for (const stop of [
      password,
      page.getByRole("button", { name: "OK" }),
      page.getByRole("button", { name: "Cancel" }),
      page.getByRole("link", { name: "Create an account" }),
    ]) {
      await page.keyboard.press("Tab");
      await expectDottedFocus(stop);
    }
    for (let i = 0; i < 3; i++) await page.keyboard.press("Shift+Tab");
    await expect(password).toBeFocused();
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press("Enter");
    await expect(page).toHaveURL(/\/chat$/);
    await expect(page.locator(".status-user")).toHaveText(`Signed in as ${name}`);

    // Straight into the message box: type, Enter, and the box is ready again.
    const input = page.getByRole("textbox", { name: "Message" });
    await expectDottedFocus(input);
    await page.keyboard.type("typed, never clicked");
    await page.keyboard.press("Enter");
    await expect(page.locator(".message.own[data-id]", { hasText: "typed, never clicked" })).toHaveCount(1);
    await expect(input).toBeFocused();

    // Backwards from the box: each message bubble (for its menu, newest
    // first), the message pane (to scroll it), the menu bar (one stop), then
    // the window's controls; forwards: Send once there is text, then Log Off.
    const win = page.locator("section.chat-window");
    const bubbles = page.locator(".message[data-id] .message-bubble");
    const count = await bubbles.count();
    for (let i = count - 1; i >= 0; i--) {
      await page.keyboard.press("Shift+Tab");
      await expectDottedFocus(bubbles.nth(i));
    }
    await page.keyboard.press("Shift+Tab");
    await expectDottedFocus(page.getByRole("region", { name: "Messages" }));
    await page.keyboard.press("Shift+Tab");
    await expectHighlightedTitle(page.getByRole("menubar").getByRole("menuitem", { name: "File" }));
    for (const stop of [
      win.getByRole("button", { name: "Close" }),
      win.getByRole("button", { name: "Maximize" }),
      win.getByRole("button", { name: "Minimize" }),
    ]) {
      await page.keyboard.press("Shift+Tab");
      await expectDottedFocusInBevel(stop);
    }
    for (let i = 0; i < 5 + count; i++) await page.keyboard.press("Tab");
    await expect(input).toBeFocused();
    await page.keyboard.type("one more");
    await page.keyboard.press("Tab");
    await expectDottedFocus(page.getByRole("button", { name: "Send" }));
    await page.keyboard.press("Enter");
    await expect(page.locator(".message.own[data-id]", { hasText: "one more" })).toHaveCount(1);
    // Sending puts the cursor back in the box; Send is disabled until there is text.
    await expect(input).toBeFocused();
    await page.keyboard.press("Tab");
    const logOff = page.getByRole("button", { name: "Log Off" });
    await expectDottedFocus(logOff);
    await page.keyboard.press("Enter");
    await expect(page).toHaveURL(/\/login$/);
  });
});
