// A phone-sized screen (375 px wide): the window fills the width, nothing
// scrolls sideways, and the composer can still be used.
import type { Page } from "@playwright/test";
import { send } from "./chat";
import { expect, test, waitForHydration } from "./console";
import { signUp, uniqueName } from "./seed";

const WIDTH = 375;
const HEIGHT = 667;
test.use({ viewport: { width: WIDTH, height: HEIGHT }, hasTouch: true });

/** How far the document can be scrolled sideways, in pixels. */
function sideways(page: Page) {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}

test("the sign-in dialog fits a narrow screen", async ({ page }) => {
  await page.goto("/login");
  const dialog = await page.locator("section.window.dialog").boundingBox();
  expect(dialog?.x).toBe(0);
  expect(dialog?.width).toBe(WIDTH);
  expect(await sideways(page)).toBe(0);
  await expect(page.getByRole("button", { name: "OK" })).toBeInViewport();
});

test("the chat window fills a narrow screen and the composer works", async ({ page }) => {
  const me = uniqueName("phone");
  await signUp(page.context().request, me);
  await page.goto("/chat");
  await waitForHydration(page);
  await expect(page.locator(".status-link")).toHaveText("Connected");

  const win = await page.locator("section.chat-window").boundingBox();
  if (!win) throw new Error("no chat window");
  expect(win.x).toBe(0);
  expect(win.y).toBe(0);
  expect(win.width).toBe(WIDTH);
  // All the height but the retention note's line below it.
  expect(win.height).toBeGreaterThan(HEIGHT - 60);
  expect(await sideways(page)).toBe(0);

  const input = page.getByRole("textbox", { name: "Message" });
  const sendButton = page.getByRole("button", { name: "Send" });
  await expect(input).toBeInViewport({ ratio: 1 });
  await expect(sendButton).toBeInViewport({ ratio: 1 });
  expect((await input.boundingBox())?.width).toBeGreaterThan(WIDTH / 2);

  // A long word wraps inside its bubble instead of widening the page.
  const long = `wide${"x".repeat(300)}`;
  await send(page, long);
  const mine = page.locator(".message.own[data-id]", { hasText: long });
  await expect(mine).toHaveCount(1);
  await expect(mine).toBeInViewport();
  expect(await sideways(page)).toBe(0);

  // Tapping Send works as well as Enter.
  await input.fill("sent with a tap");
  await sendButton.tap();
  await expect(page.locator(".message.own[data-id]", { hasText: "sent with a tap" })).toHaveCount(1);
  await expect(input).toHaveValue("");
});
