// The title-bar buttons do what Windows 98's do: Minimize leaves the title
// bar and a taskbar button that brings the window back, Maximize fills the
// screen, Close asks whether to log off. Each is a 24x24 px target that
// paints the 16x14 Win98 bevel; on dialogs, which close by their own
// buttons, Close is greyed out.
import type { Locator } from "@playwright/test";
import { notReloaded, openChat } from "./chat";
import { expect, test } from "./console";
import { uniqueName } from "./seed";

/** The size of the painted bevel (the button's `::before`). */
async function bevelSize(button: Locator) {
  return button.evaluate((el) => {
    const style = getComputedStyle(el, "::before");
    return [style.width, style.height];
  });
}

test("Minimize leaves the title bar and a taskbar button that restores the window", async ({ browser }) => {
  const page = await openChat(browser, uniqueName("mini"));
  const win = page.locator("section.chat-window");
  const input = page.getByRole("textbox", { name: "Message" });
  await input.fill("a draft that must survive");
  await win.getByRole("button", { name: "Minimize" }).click();
  await expect(win).toHaveClass(/minimized/);
  await expect(win.locator(".title-bar")).toBeVisible();
  await expect(input).toBeHidden();
  await expect(page.getByRole("menubar")).toBeHidden();

  const taskbar = page.getByRole("group", { name: "Taskbar" });
  const task = taskbar.getByRole("button", { name: "Chat Room" });
  await expect(task).toBeFocused();
  // Along the bottom edge of the screen, as wide as the screen.
  const viewport = page.viewportSize()!;
  const bar = (await taskbar.boundingBox())!;
  expect(Math.abs(bar.y + bar.height - viewport.height)).toBeLessThan(1);
  expect(bar.x).toBe(0);
  expect(bar.width).toBeGreaterThan(viewport.width - 20);
  // The title bar alone: no taller than a title bar and the frame.
  expect((await win.boundingBox())!.height).toBeLessThan(40);

  await task.click();
  await expect(win).not.toHaveClass(/minimized/);
  await expect(taskbar).toHaveCount(0);
  await expect(input).toHaveValue("a draft that must survive");
  await expect(win.getByRole("button", { name: "Minimize" })).toBeFocused();
  expect(await notReloaded(page)).toBe(true);
});

test("Maximize fills the viewport, Restore puts the window back", async ({ browser }) => {
  const page = await openChat(browser, uniqueName("maxi"));
  const win = page.locator("section.chat-window");
  const before = await win.boundingBox();
  await win.getByRole("button", { name: "Maximize" }).click();
  await expect(win).toHaveClass(/maximized/);
  const viewport = page.viewportSize()!;
  expect(await win.boundingBox()).toEqual({ x: 0, y: 0, width: viewport.width, height: viewport.height });
  const restore = win.getByRole("button", { name: "Restore" });
  await expect(restore).toHaveClass(/restore/);
  await restore.click();
  await expect(win).not.toHaveClass(/maximized/);
  expect(await win.boundingBox()).toEqual(before);
  // A double click on the title bar does the same.
  await win.locator(".title-bar-text").dblclick();
  await expect(win).toHaveClass(/maximized/);
});

test("Close asks whether to log off: No keeps everything, Yes logs off", async ({ browser }) => {
  const page = await openChat(browser, uniqueName("closer"));
  const win = page.locator("section.chat-window");
  const input = page.getByRole("textbox", { name: "Message" });
  await input.fill("still here after No");
  const close = win.getByRole("button", { name: "Close" });
  await close.click();
  const box = page.getByRole("alertdialog", { name: "Log Off" });
  await expect(box).toBeVisible();
  await expect(box).toHaveAccessibleDescription("Do you want to log off?");
  await expect(box.locator(".dialog-icon-question")).toBeVisible();
  await box.getByRole("button", { name: "No" }).click();
  await expect(box).toHaveCount(0);
  await expect(close).toBeFocused();
  await expect(input).toHaveValue("still here after No");
  await expect(page.locator(".status-link")).toHaveText("Connected");
  expect(await notReloaded(page)).toBe(true);

  // Escape is No too.
  await close.click();
  await expect(box).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(box).toHaveCount(0);

  // File > Log Off... asks the same; Yes ends the session.
  await page.keyboard.press("Alt+F");
  await page.getByRole("menuitem", { name: "Log Off..." }).press("Enter");
  await expect(box).toBeVisible();
  await expect(box.getByRole("button", { name: "Yes" })).toBeFocused();
  await box.getByRole("button", { name: "Yes" }).click();
  await expect(page).toHaveURL(/\/login$/);
  await page.goto("/chat");
  await expect(page).toHaveURL(/\/login\?next=/);
});

test("title-bar buttons: 24x24 targets around 16x14 bevels; a dialog's Close is greyed", async ({ browser }) => {
  const page = await openChat(browser, uniqueName("targets"));
  const win = page.locator("section.chat-window");
  for (const name of ["Minimize", "Maximize", "Close"]) {
    const button = win.getByRole("button", { name });
    await expect(button).toBeEnabled();
    const box = (await button.boundingBox())!;
    expect(box.width).toBeGreaterThanOrEqual(24);
    expect(box.height).toBeGreaterThanOrEqual(24);
    expect(await bevelSize(button)).toEqual(["16px", "14px"]);
  }
  // Minimize and Maximize touch, as in Windows 98.
  const [minimize, maximize] = await Promise.all(
    ["Minimize", "Maximize"].map((name) =>
      win.getByRole("button", { name }).evaluate((el) => {
        const box = el.getBoundingClientRect();
        const before = getComputedStyle(el, "::before");
        const left = box.left + parseFloat(before.left);
        return { left, right: left + parseFloat(before.width) };
      }),
    ),
  );
  expect(maximize.left).toBe(minimize.right);

  await page.goto("/login");
  const dialog = page.locator("section.window.dialog");
  await expect(dialog.getByRole("button", { name: "Close" })).toBeDisabled();
  await expect(dialog.getByRole("button", { name: "Minimize" })).toHaveCount(0);
  await expect(dialog.getByRole("button", { name: "Maximize" })).toHaveCount(0);
});
