// The chat window's Win98 menu bar: File and Options, driven from the
// keyboard alone as in Windows 98 (Alt or F10, access keys, arrows, Enter,
// Escape); the preferences it sets are kept by the server. Without
// JavaScript, Options is a link to a plain form.
import type { Page } from "@playwright/test";
import { openChat } from "./chat";
import { expect, test, waitForHydration } from "./console";
import { signUp, uniqueName } from "./seed";

function menuBar(page: Page) {
  const bar = page.getByRole("menubar", { name: "Chat Room" });
  return {
    bar,
    file: bar.getByRole("menuitem", { name: "File" }),
    options: bar.getByRole("menuitem", { name: "Options" }),
    optionsMenu: page.getByRole("menu", { name: "Options" }),
    fileMenu: page.getByRole("menu", { name: "File" }),
  };
}

test("the menu bar by keyboard alone: Alt, F10, access keys, arrows, Enter and Escape", async ({ browser }) => {
  const page = await openChat(browser, uniqueName("menus"));
  const { file, options, optionsMenu, fileMenu } = menuBar(page);
  const input = page.getByRole("textbox", { name: "Message" });
  await input.focus();
  await expect(file).toHaveText("File");
  await expect(file.locator(".access-key")).toHaveText("F");
  await expect(file.locator(".access-key")).toHaveCSS("text-decoration-line", "underline");
  await expect(options.locator(".access-key")).toHaveText("O");

  // Alt alone takes the focus to the bar; arrows go from title to title
  // (wrapping); Escape gives the focus back.
  await page.keyboard.press("Alt");
  await expect(file).toBeFocused();
  await page.keyboard.press("ArrowRight");
  await expect(options).toBeFocused();
  await page.keyboard.press("ArrowRight");
  await expect(file).toBeFocused();
  await page.keyboard.press("Escape");
  await expect(input).toBeFocused();
  // F10 does the same, and so does Alt a second time.
  await page.keyboard.press("F10");
  await expect(file).toBeFocused();
  await page.keyboard.press("F10");
  await expect(input).toBeFocused();
  await page.keyboard.press("Alt");
  await expect(file).toBeFocused();
  await page.keyboard.press("Alt");
  await expect(input).toBeFocused();

  // Alt+O opens Options on its first item; the bullets show what is in force.
  await page.keyboard.press("Alt+O");
  await expect(optionsMenu).toBeVisible();
  await expect(options).toHaveAttribute("aria-expanded", "true");
  const radio = (name: string) => optionsMenu.getByRole("menuitemradio", { name, exact: true });
  const showTyping = optionsMenu.getByRole("menuitemcheckbox", { name: "Show typing" });
  await expect(radio("Sound: Off")).toBeFocused();
  await expect(radio("Sound: Mentions")).toHaveAttribute("aria-checked", "true");
  await expect(radio("Sound: Off")).toHaveAttribute("aria-checked", "false");
  await expect(radio("Notifications: Off")).toHaveAttribute("aria-checked", "true");
  await expect(showTyping).toHaveAttribute("aria-checked", "true");
  await expect(optionsMenu.getByRole("group", { name: "Sound" }).getByRole("menuitemradio")).toHaveCount(3);
  // Up wraps to the last item; Home and End.
  await page.keyboard.press("ArrowUp");
  await expect(showTyping).toBeFocused();
  await page.keyboard.press("Home");
  await expect(radio("Sound: Off")).toBeFocused();
  await page.keyboard.press("End");
  await expect(showTyping).toBeFocused();

  // Left and Right go from menu to menu.
  await page.keyboard.press("ArrowLeft");
  await expect(optionsMenu).toHaveCount(0);
  await expect(fileMenu).toBeVisible();
  await expect(fileMenu.getByRole("menuitem", { name: "Log Off..." })).toBeFocused();
  await page.keyboard.press("ArrowRight");
  await expect(fileMenu).toHaveCount(0);
  await expect(radio("Sound: Off")).toBeFocused();

  // Enter chooses: the menu closes, the focus goes back to the message box.
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("ArrowDown");
  await expect(radio("Sound: All messages")).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(optionsMenu).toHaveCount(0);
  await expect(input).toBeFocused();

  // Space toggles the check item.
  await page.keyboard.press("Alt+O");
  await expect(radio("Sound: All messages")).toHaveAttribute("aria-checked", "true");
  await expect(radio("Sound: Mentions")).toHaveAttribute("aria-checked", "false");
  await page.keyboard.press("End");
  await page.keyboard.press(" ");
  await expect(optionsMenu).toHaveCount(0);
  await expect(input).toBeFocused();

  // Escape closes the menu back to its title, then leaves the bar.
  await page.keyboard.press("Alt+O");
  await expect(showTyping).toHaveAttribute("aria-checked", "false");
  await page.keyboard.press("Escape");
  await expect(optionsMenu).toHaveCount(0);
  await expect(options).toBeFocused();
  await expect(options).toHaveAttribute("aria-expanded", "false");
  await page.keyboard.press("Escape");
  await expect(input).toBeFocused();

  // The server kept both choices: they survive a reload.
  await page.reload();
  await waitForHydration(page);
  await input.focus();
  await page.keyboard.press("Alt+O");
  await expect(radio("Sound: All messages")).toHaveAttribute("aria-checked", "true");
  await expect(showTyping).toHaveAttribute("aria-checked", "false");
  // The access key of a title works inside the bar too.
  await page.keyboard.press("Escape");
  await page.keyboard.press("f");
  await expect(fileMenu).toBeVisible();
});

test("the menus answer the mouse: a click opens, another title takes over, a click outside closes", async ({
  browser,
}) => {
  const page = await openChat(browser, uniqueName("mouse"));
  const { file, options, optionsMenu, fileMenu } = menuBar(page);
  await options.click();
  // With JavaScript the title opens its menu instead of leaving the page.
  await expect(page).toHaveURL(/\/chat$/);
  await expect(optionsMenu).toBeVisible();
  await file.hover();
  await expect(fileMenu).toBeVisible();
  await expect(optionsMenu).toHaveCount(0);
  await page.mouse.click(5, 5);
  await expect(fileMenu).toHaveCount(0);
  await options.click();
  await optionsMenu.getByRole("menuitemradio", { name: "Sound: Off" }).click();
  await expect(optionsMenu).toHaveCount(0);
  await options.click();
  await expect(optionsMenu.getByRole("menuitemradio", { name: "Sound: Off" })).toHaveAttribute(
    "aria-checked",
    "true",
  );
});

test("choices made while an earlier one is still being saved: the server keeps the last", async ({ browser }) => {
  const page = await openChat(browser, uniqueName("order"));
  const { options, optionsMenu } = menuBar(page);
  const radio = (name: string) => optionsMenu.getByRole("menuitemradio", { name, exact: true });
  const showTyping = optionsMenu.getByRole("menuitemcheckbox", { name: "Show typing" });
  // The first save is held on its way until the second choice is made: two
  // saves in flight at once would reach the server in either order.
  let release = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  let sent = 0;
  let answered = 0;
  await page.route("**/api/me/preferences/save", async (route) => {
    sent += 1;
    if (sent === 1) await held;
    const response = await route.fetch();
    answered += 1;
    await route.fulfill({ response });
  });
  await options.click();
  await showTyping.click();
  await expect.poll(() => sent).toBe(1);
  await options.click();
  await radio("Sound: All messages").click();
  await options.click();
  await expect(showTyping).toHaveAttribute("aria-checked", "false");
  await expect(radio("Sound: All messages")).toHaveAttribute("aria-checked", "true");
  release();
  await expect.poll(() => answered).toBe(2);

  await page.reload();
  await waitForHydration(page);
  await options.click();
  await expect(showTyping).toHaveAttribute("aria-checked", "false");
  await expect(radio("Sound: All messages")).toHaveAttribute("aria-checked", "true");
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("Options is a link to a plain form that saves and comes back to the chat room", async ({
    page,
    consoleGuard,
  }) => {
    // The bundle's name carries a hash: chat98.<hash>.wasm.
    consoleGuard.allow(/chat98\.[\w-]+\.wasm was preloaded using link preload but not used/);
    await signUp(page.context().request, uniqueName("nojsopts"));
    await page.goto("/chat");
    // No menu roles that would promise keys that do nothing.
    await expect(page.getByRole("menubar")).toHaveCount(0);
    const win = page.locator("section.chat-window");
    for (const name of ["Minimize", "Maximize", "Close"]) {
      await expect(win.getByRole("button", { name })).toBeDisabled();
    }

    await page.getByRole("link", { name: "Options" }).click();
    await expect(page).toHaveURL(/\/chat\/options$/);
    await expect(page.locator(".title-bar-text")).toHaveText("Options");
    const sound = page.getByRole("group", { name: "Sound (needs JavaScript)" });
    const notifications = page.getByRole("group", { name: "Desktop notifications (needs JavaScript)" });
    const typing = page.getByRole("checkbox", { name: "Show who is typing" });
    await expect(sound.getByRole("radio", { name: "Mentions" })).toBeChecked();
    await expect(notifications.getByRole("radio", { name: "Off" })).toBeChecked();
    await expect(typing).toBeChecked();

    await sound.getByRole("radio", { name: "All messages" }).check();
    await notifications.getByRole("radio", { name: "Mentions" }).check();
    await typing.uncheck();
    await page.getByRole("button", { name: "OK" }).click();
    await expect(page).toHaveURL(/\/chat$/);

    await page.getByRole("link", { name: "Options" }).click();
    await expect(sound.getByRole("radio", { name: "All messages" })).toBeChecked();
    await expect(notifications.getByRole("radio", { name: "Mentions" })).toBeChecked();
    await expect(typing).not.toBeChecked();
    // Cancel goes back without saving.
    await page.getByRole("link", { name: "Cancel" }).click();
    await expect(page).toHaveURL(/\/chat$/);
  });
});
