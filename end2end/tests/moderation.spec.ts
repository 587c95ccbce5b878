// Editing and deleting one's own messages, and moderators deleting anyone's
// and banning: through the context menu (mouse and keyboard), the Win98
// message boxes, live in every other open page, and with plain forms
// without JavaScript.
import type { Browser, Locator, Page } from "@playwright/test";
import { openChat, send } from "./chat";
import { seriousViolations } from "./axe";
import { expect, test, waitForHydration } from "./console";
import { useOwnServer } from "./own_server";
import { signUp, uniqueName } from "./seed";

/** The stored message with this text, as a list item (`.message[data-id]`). */
function message(page: Page, text: string): Locator {
  return page.locator(".message[data-id]", { hasText: text });
}

/** The focusable bubble inside the stored message with this text. */
function bubble(page: Page, text: string): Locator {
  return message(page, text).locator(".message-bubble");
}

/** The message with `id`, wherever its text now is. */
function byId(page: Page, id: string): Locator {
  return page.locator(`.message[data-id="${id}"]`);
}

/** The names of the open context menu's items, top to bottom. */
async function menuItems(page: Page): Promise<string[]> {
  const menu = page.getByRole("menu", { name: "Message actions" });
  await expect(menu).toBeVisible();
  return menu.getByRole("menuitem").allTextContents();
}

/** Whether the focus is inside `container`. */
async function focusInside(container: Locator): Promise<boolean> {
  return container.evaluate((el) => el.contains(document.activeElement));
}

/** Signs `name` up, makes them a moderator, and opens their connected chat page. */
async function openAsModerator(
  browser: Browser,
  name: string,
  server: { baseURL: string; grantModerator: (name: string) => Promise<void> },
): Promise<Page> {
  const context = await browser.newContext({ baseURL: server.baseURL });
  await signUp(context.request, name);
  // The page reads the role when it loads: grant it first.
  await server.grantModerator(name);
  const page = await context.newPage();
  await page.goto("/chat");
  await waitForHydration(page);
  await expect(page.locator(".status-link")).toHaveText("Connected");
  return page;
}

test.describe("in a room of its own", () => {
  // The live region must still say what it said last: no other test may
  // write into this room.
  const server = useOwnServer();

  test("own messages are edited and deleted from the menu, by mouse and by keyboard, live for others and never announced", async ({
    browser,
  }) => {
    const ann = uniqueName("ann");
    const a = await openChat(browser, ann, server.baseURL);
    const b = await openChat(browser, uniqueName("bob"), server.baseURL);
    const announcer = b.locator(".announcer");

    await send(a, "first words");
    await send(a, "second thoughts");
    await expect(message(b, "second thoughts")).toHaveCount(1);
    // Read out one by one or together, the newest is what it says last.
    await expect(announcer).toContainText(`New message from ${ann}: second thoughts`);
    const heard = await announcer.textContent();
    const firstId = (await message(a, "first words").getAttribute("data-id"))!;
    const secondId = (await message(a, "second thoughts").getAttribute("data-id"))!;

    // Right-click, Edit: the text turns into a box with the cursor in it.
    await bubble(a, "first words").click({ button: "right" });
    expect(await menuItems(a)).toEqual(["Edit", "Delete"]);
    await a.getByRole("menuitem", { name: "Edit" }).click();
    await expect(a.getByRole("menu")).toHaveCount(0);
    const editor = a.getByRole("textbox", { name: "Edit message" });
    await expect(editor).toBeFocused();
    await expect(editor).toHaveValue("first words");
    // Shift+Enter is a new line, Enter saves.
    await editor.fill("better words");
    await editor.press("Shift+Enter");
    await editor.pressSequentially("on two lines");
    await editor.press("Enter");
    await expect(editor).toHaveCount(0);
    const edited = byId(a, firstId);
    await expect(edited.locator(".message-content")).toHaveText("better words\non two lines");
    await expect(edited.locator(".message-edited")).toHaveText("(edited)");
    await expect(edited.locator(".message-edited")).toHaveAttribute(
      "title",
      /^Edited [A-Z][a-z]+day, \d{1,2} [A-Z][a-z]+ \d{4} \d\d:\d\d:\d\d \(.+\)$/,
    );
    await expect(edited.locator(".message-bubble")).toBeFocused();
    // The other page shows the edit in place, without a reload.
    await expect(byId(b, firstId).locator(".message-content")).toHaveText("better words\non two lines");
    await expect(byId(b, firstId).locator(".message-edited")).toHaveText("(edited)");

    // Escape in the editor keeps the text as it was.
    await bubble(a, "second thoughts").click({ button: "right" });
    await a.getByRole("menuitem", { name: "Edit" }).click();
    await a.getByRole("textbox", { name: "Edit message" }).fill("never saved");
    await a.keyboard.press("Escape");
    await expect(a.getByRole("textbox", { name: "Edit message" })).toHaveCount(0);
    await expect(byId(a, secondId).locator(".message-content")).toHaveText("second thoughts");
    await expect(bubble(a, "second thoughts")).toBeFocused();

    // The keyboard: Shift+F10 on the focused bubble opens the menu on its
    // first item; Escape closes it and gives the focus back.
    const second = bubble(a, "second thoughts");
    await second.focus();
    await a.keyboard.press("Shift+F10");
    expect(await menuItems(a)).toEqual(["Edit", "Delete"]);
    await expect(a.getByRole("menuitem", { name: "Edit" })).toBeFocused();
    await a.keyboard.press("ArrowDown");
    await expect(a.getByRole("menuitem", { name: "Delete" })).toBeFocused();
    await a.keyboard.press("ArrowDown");
    await expect(a.getByRole("menuitem", { name: "Edit" })).toBeFocused();
    await a.keyboard.press("Escape");
    await expect(a.getByRole("menu")).toHaveCount(0);
    await expect(second).toBeFocused();

    // Edit from the keyboard.
    await a.keyboard.press("Shift+F10");
    await a.keyboard.press("Enter");
    await expect(a.getByRole("textbox", { name: "Edit message" })).toBeFocused();
    await a.keyboard.press("ControlOrMeta+a");
    await a.keyboard.type("second, revised");
    await a.keyboard.press("Enter");
    await expect(byId(a, secondId).locator(".message-content")).toHaveText("second, revised");
    await expect(byId(b, secondId).locator(".message-content")).toHaveText("second, revised");

    // Delete from the keyboard: the message box starts on No; Escape is No.
    const revised = bubble(a, "second, revised");
    await expect(revised).toBeFocused();
    await a.keyboard.press("Shift+F10");
    await a.keyboard.press("ArrowDown");
    await a.keyboard.press("Enter");
    const box = a.getByRole("alertdialog", { name: "Delete Message" });
    await expect(box).toContainText("Are you sure you want to delete this message?");
    await expect(box).toHaveAttribute("aria-modal", "true");
    await expect(box.getByRole("button", { name: "No" })).toBeFocused();
    // Tab stays in the box.
    for (let i = 0; i < 4; i++) {
      await a.keyboard.press("Tab");
      expect(await focusInside(box)).toBe(true);
    }
    await a.keyboard.press("Escape");
    await expect(box).toHaveCount(0);
    await expect(revised).toBeFocused();
    await expect(byId(a, secondId)).toHaveCount(1);

    await a.keyboard.press("Shift+F10");
    await a.keyboard.press("ArrowDown");
    await a.keyboard.press("Enter");
    await expect(box.getByRole("button", { name: "No" })).toBeFocused();
    await a.keyboard.press("Shift+Tab");
    await expect(box.getByRole("button", { name: "Yes" })).toBeFocused();
    await a.keyboard.press("Enter");
    await expect(box).toHaveCount(0);
    await expect(byId(a, secondId)).toHaveCount(0);
    await expect(byId(b, secondId)).toHaveCount(0);

    // Delete with the mouse.
    await bubble(a, "better words").click({ button: "right" });
    await a.getByRole("menuitem", { name: "Delete" }).click();
    await box.getByRole("button", { name: "Yes" }).click();
    await expect(byId(a, firstId)).toHaveCount(0);
    await expect(byId(b, firstId)).toHaveCount(0);

    // The screen reader heard the two new messages, and nothing since.
    await b.waitForTimeout(500);
    await expect(announcer).toHaveText(heard ?? "");
    await expect(b.locator('[aria-live], [role="status"]', { hasText: /better|revised|deleted|edited/ })).toHaveCount(0);
  });

  test("a moderator deletes someone's message and bans them; the banned page says so", async ({ browser }) => {
    const modName = uniqueName("mod");
    const spammerName = uniqueName("spammer");
    const mod = await openAsModerator(browser, modName, server);
    const spammer = await openChat(browser, spammerName, server.baseURL);

    await send(spammer, "buy cheap stuff");
    await send(spammer, "more cheap stuff");
    await expect(message(mod, "more cheap stuff")).toHaveCount(1);

    // A member's menu on someone else's message offers nothing: no menu.
    await send(mod, "please stop");
    await expect(message(spammer, "please stop")).toHaveCount(1);
    await bubble(spammer, "please stop").click({ button: "right" });
    await expect(spammer.getByRole("menu")).toHaveCount(0);
    await spammer.keyboard.press("Escape");

    // The moderator's menu on it: Delete and Ban user...
    await bubble(mod, "buy cheap stuff").click({ button: "right" });
    expect(await menuItems(mod)).toEqual(["Delete", "Ban user..."]);
    expect(await seriousViolations(mod)).toEqual([]);
    await mod.getByRole("menuitem", { name: "Delete" }).click();
    const box = mod.getByRole("alertdialog", { name: "Delete Message" });
    await expect(box.getByRole("button", { name: "No" })).toBeFocused();
    expect(await seriousViolations(mod)).toEqual([]);
    await box.getByRole("button", { name: "Yes" }).click();
    await expect(message(mod, "buy cheap stuff")).toHaveCount(0);
    await expect(message(spammer, "buy cheap stuff")).toHaveCount(0);

    // Ban for a day, with a reason, deleting all their messages.
    await bubble(mod, "more cheap stuff").click({ button: "right" });
    await mod.getByRole("menuitem", { name: "Ban user..." }).click();
    const ban = mod.getByRole("dialog", { name: "Ban User" });
    await expect(ban).toContainText(spammerName);
    await expect(ban.getByLabel("Duration:")).toBeFocused();
    expect(await ban.getByLabel("Duration:").locator("option").allTextContents()).toEqual([
      "1 hour",
      "1 day",
      "7 days",
      "Until unbanned",
    ]);
    expect(await seriousViolations(mod)).toEqual([]);
    await ban.getByLabel("Duration:").selectOption({ label: "1 day" });
    await ban.getByLabel("Reason:").fill("spam");
    await ban.getByLabel("Delete all their messages").check();
    await ban.getByRole("button", { name: "OK" }).click();
    await expect(ban).toHaveCount(0);
    // The purge takes their other messages away too, live.
    await expect(message(mod, "more cheap stuff")).toHaveCount(0);
    await expect(message(mod, "please stop")).toHaveCount(1);

    // The banned page: a message box with the sentence, and no reconnecting.
    const notice = spammer.getByRole("alertdialog");
    await expect(notice).toContainText(
      /You have been banned from this chat room until \d{4}-\d\d-\d\d \d\d:\d\d UTC\. Reason: spam/,
    );
    await expect(notice.getByRole("button", { name: "OK" })).toBeFocused();
    await expect(spammer.locator(".status-link")).toHaveText("Disconnected");
    expect(await seriousViolations(spammer)).toEqual([]);
    await notice.getByRole("button", { name: "OK" }).click();
    await expect(spammer).toHaveURL(/\/login/);
  });
});

test("the Escape key, a click outside and a second right-click close the menu; one menu at a time", async ({
  browser,
}) => {
  const a = await openChat(browser, uniqueName("menus"));
  await send(a, "menu target one");
  await send(a, "menu target two");
  await expect(message(a, "menu target two")).toHaveCount(1);

  await bubble(a, "menu target one").click({ button: "right" });
  await expect(a.getByRole("menu")).toHaveCount(1);
  // A click elsewhere closes it.
  await a.mouse.click(5, 5);
  await expect(a.getByRole("menu")).toHaveCount(0);

  await bubble(a, "menu target two").click({ button: "right" });
  await expect(a.getByRole("menu")).toHaveCount(1);
  await a.keyboard.press("Escape");
  await expect(a.getByRole("menu")).toHaveCount(0);
  await expect(bubble(a, "menu target two")).toBeFocused();

  // The ContextMenu key works as Shift+F10 does.
  await a.keyboard.press("ContextMenu");
  await expect(a.getByRole("menu")).toHaveCount(1);
  await expect(a.getByRole("menu", { name: "Message actions" }).getByRole("menuitem").first()).toBeFocused();
  await a.keyboard.press("Escape");
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("the Edit and Delete links lead to plain forms that change the message and return to /chat", async ({
    page,
    consoleGuard,
  }) => {
    consoleGuard.allow(/\.wasm was preloaded using link preload but not used/);
    await signUp(page.context().request, uniqueName("NoJsEdit"));
    await page.goto("/chat");
    await page.getByRole("textbox", { name: "Message" }).fill("typed without scripts");
    await page.getByRole("button", { name: "Send" }).click();
    await expect(page).toHaveURL(/\/chat$/);
    const mine = page.locator(".message.own", { hasText: "typed without scripts" });
    await expect(mine).toHaveCount(1);

    // Edit: a form with the text, errors inline, then back to the room.
    await mine.getByRole("link", { name: "Edit" }).click();
    await expect(page).toHaveURL(/\/chat\/messages\/\d+\/edit$/);
    const box = page.getByLabel("Message:");
    await expect(box).toHaveValue("typed without scripts");
    await box.fill("   ");
    await page.getByRole("button", { name: "Save" }).click();
    await expect(page.locator("#content-errors")).toHaveText("This field may not be blank.");
    await page.getByLabel("Message:").fill("edited without scripts");
    await page.getByRole("button", { name: "Save" }).click();
    await expect(page).toHaveURL(/\/chat$/);
    const edited = page.locator(".message.own", { hasText: "edited without scripts" });
    await expect(edited.locator(".message-content")).toHaveText("edited without scripts");
    await expect(edited.locator(".message-edited")).toHaveText("(edited)");
    await expect(edited.locator(".message-edited")).toHaveAttribute("title", /^Edited .+ \(UTC\)$/);

    // Delete: No goes back without deleting; Yes, delete deletes.
    await edited.getByRole("link", { name: "Delete" }).click();
    await expect(page).toHaveURL(/\/chat\/messages\/\d+\/delete$/);
    await expect(page.locator(".message-quote")).toContainText("edited without scripts");
    await page.getByRole("link", { name: "No" }).click();
    await expect(page).toHaveURL(/\/chat$/);
    await expect(edited).toHaveCount(1);
    await edited.getByRole("link", { name: "Delete" }).click();
    await page.getByRole("button", { name: "Yes, delete" }).click();
    await expect(page).toHaveURL(/\/chat$/);
    await expect(page.locator(".message", { hasText: "edited without scripts" })).toHaveCount(0);
  });

  test("others' messages have no Edit or Delete links for a member", async ({ page, playwright, consoleGuard }) => {
    consoleGuard.allow(/\.wasm was preloaded using link preload but not used/);
    const other = uniqueName("other");
    const api = await playwright.request.newContext({ baseURL: test.info().project.use.baseURL });
    await signUp(api, other);
    const posted = await api.post("/api/chat/messages/", { data: { content: "not yours to change" } });
    expect(posted.status()).toBe(201);
    await api.dispose();
    await signUp(page.context().request, uniqueName("reader"));
    await page.goto("/chat");
    const theirs = page.locator(".message.other", { hasText: "not yours to change" });
    await expect(theirs).toHaveCount(1);
    await expect(theirs.getByRole("link")).toHaveCount(0);
  });
});

test("the edit page works with JavaScript too, and returns to /chat", async ({ browser }) => {
  const a = await openChat(browser, uniqueName("jsedit"));
  await send(a, "to edit on its page");
  const id = await message(a, "to edit on its page").getAttribute("data-id");
  // Hydrated, the chat window has the menu instead of the links.
  await expect(message(a, "to edit on its page").getByRole("link")).toHaveCount(0);
  await a.goto(`/chat/messages/${id}/edit`);
  await a.getByLabel("Message:").fill("edited on its page");
  await a.getByRole("button", { name: "Save" }).click();
  await expect(a).toHaveURL(/\/chat$/);
  await expect(byId(a, id!).locator(".message-content")).toHaveText("edited on its page");
});
