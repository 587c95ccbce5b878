// Windows 98 fidelity: the computed styles follow the seed's palette, and
// the chat window and sign-in dialog look like their committed pictures.
import type { Locator, Page } from "@playwright/test";
import { fillCredentials, openChat, send } from "./chat";
import { expect, test, waitForHydration } from "./console";
import { useOwnServer } from "./own_server";
import { PASSWORD, seedMessages, signUp, uniqueName } from "./seed";

// The seed's palette, as the browser reports colours.
const FACE = "rgb(192, 192, 192)";
const LIGHT = "rgb(223, 223, 223)";
const DARK = "rgb(64, 64, 64)";
const SHADOW = "rgb(128, 128, 128)";
const WHITE = "rgb(255, 255, 255)";
const FRAME = "rgb(10, 10, 10)";
const NAVY = "rgb(0, 0, 128)";
const OWN_BUBBLE = "rgb(204, 229, 255)";
const OTHER_BUBBLE = "rgb(234, 234, 234)";
const TIME_GREY = "rgb(99, 99, 99)";

/** Each side's border colour and width: top, left, right, bottom. */
function bevel(topLeft: string, bottomRight: string, width: string) {
  return {
    borderTopColor: topLeft,
    borderLeftColor: topLeft,
    borderRightColor: bottomRight,
    borderBottomColor: bottomRight,
    borderTopWidth: width,
    borderLeftWidth: width,
    borderRightWidth: width,
    borderBottomWidth: width,
  };
}
const RAISED = bevel(LIGHT, DARK, "2px");
const PRESSED = bevel(DARK, LIGHT, "2px");
const SUNKEN = bevel(SHADOW, WHITE, "2px");

/** The computed values of `expected`'s properties on `target` (or its `pseudo` element). */
async function computed(target: Locator, expected: Record<string, string>, pseudo?: string) {
  const names = Object.keys(expected);
  return target.evaluate(
    (el, [names, pseudo]) => {
      const style = getComputedStyle(el, pseudo) as any;
      return Object.fromEntries((names as string[]).map((n) => [n, style[n]]));
    },
    [names, pseudo ?? null] as const,
  );
}

async function expectStyle(target: Locator, expected: Record<string, string>, pseudo?: string) {
  expect(await computed(target, expected, pseudo)).toEqual(expected);
}

/** Holds the primary mouse button down over `target` while `check` runs. */
async function whilePressed(page: Page, target: Locator, check: () => Promise<void>) {
  const box = await target.boundingBox();
  if (!box) throw new Error("nothing to press");
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  try {
    await check();
  } finally {
    // Let go elsewhere, so the press does not become a click.
    await page.mouse.move(0, 0);
    await page.mouse.up();
  }
}

test("window, title bar, buttons, panes and bubbles follow the Win98 palette", async ({ browser }) => {
  const other = await openChat(browser, uniqueName("other"));
  const page = await openChat(browser, uniqueName("stylist"));
  // Marked: the suite's server is shared, and the room keeps earlier runs' bubbles.
  const grey = `a grey bubble on the left ${uniqueName("g")}`;
  const blue = `a blue bubble on the right ${uniqueName("b")}`;
  await send(other, grey);
  await send(page, blue);
  const mine = page.locator(".message.own[data-id]", { hasText: blue });
  const theirs = page.locator(".message.other[data-id]", { hasText: grey });
  await expect(mine).toHaveCount(1);
  await expect(theirs).toHaveCount(1);

  const win = page.locator("section.window.chat-window");
  await expectStyle(page.locator("body"), { backgroundColor: "rgb(0, 128, 128)" });
  await expectStyle(win, { backgroundColor: FACE, ...RAISED });
  // The pixel font, self-hosted: both faces loaded (not a system fallback).
  expect((await computed(win, { fontFamily: "" })).fontFamily).toMatch(/^"Pixelated MS Sans Serif"/);
  const faces = await page.evaluate(async () => {
    await document.fonts.ready;
    return [...document.fonts]
      .filter((f) => f.family.replace(/"/g, "") === "Pixelated MS Sans Serif" && f.status === "loaded")
      .map((f) => f.weight)
      .sort();
  });
  expect(faces).toEqual(["400", "700"]);
  await expectStyle(win.locator(".title-bar"), {
    backgroundImage: `linear-gradient(90deg, ${NAVY}, rgb(16, 132, 208))`,
    color: WHITE,
  });
  await expectStyle(win.locator(".title-bar-text"), { fontWeight: "700", fontSize: "11px" });

  // Buttons: raised, and inside out while the mouse button is down.
  const sendButton = page.getByRole("button", { name: "Send" });
  const logOff = page.getByRole("button", { name: "Log Off" });
  await page.getByRole("textbox", { name: "Message" }).fill("not sent: the press is let go elsewhere");
  for (const button of [sendButton, logOff]) {
    await expectStyle(button, { backgroundColor: FACE, fontSize: "11px", ...RAISED });
    await whilePressed(page, button, () => expectStyle(button, PRESSED));
    await expectStyle(button, RAISED);
  }
  await expectStyle(sendButton, { paddingTop: "4px", paddingLeft: "10px" });
  // The title-bar buttons paint their 16x14 bevel inside a larger target.
  const maximize = win.getByRole("button", { name: "Maximize" });
  const titleRaised = bevel(WHITE, FRAME, "1px");
  await expectStyle(maximize, { backgroundColor: FACE, ...titleRaised }, "::before");
  await whilePressed(page, maximize, () => expectStyle(maximize, bevel(FRAME, WHITE, "1px"), "::before"));
  await expect(win).not.toHaveClass(/maximized/);

  // The menu bar: grey, black titles with the access key underlined.
  await expectStyle(page.getByRole("menubar").getByRole("menuitem", { name: "File" }), {
    color: "rgb(0, 0, 0)",
    fontSize: "11px",
  });

  // Inset panes: the messages, the text box and the online list.
  for (const pane of [
    page.locator(".message-pane"),
    page.getByRole("textbox", { name: "Message" }),
    page.locator(".online-list"),
  ]) {
    await expectStyle(pane, { backgroundColor: WHITE, ...SUNKEN });
  }

  // Bubbles: blue for mine, grey for theirs, both with the seed's thin inset edge.
  const bubble = {
    ...bevel(DARK, LIGHT, "1px"),
    paddingTop: "6px",
    paddingLeft: "10px",
    marginTop: "6px",
    fontSize: "12px",
  };
  await expectStyle(mine.locator(".message-bubble"), { backgroundColor: OWN_BUBBLE, ...bubble });
  await expectStyle(theirs.locator(".message-bubble"), { backgroundColor: OTHER_BUBBLE, ...bubble });
  await expectStyle(mine.locator(".message-header"), { color: NAVY, fontWeight: "700", fontSize: "11px" });
  await expectStyle(mine.locator(".message-time"), { color: TIME_GREY, fontSize: "10px", marginLeft: "5px" });
});

test.describe("pictures", () => {
  // Fixed names and messages need a fresh database of their own.
  const server = useOwnServer();

  const look = { viewport: { width: 1024, height: 768 }, deviceScaleFactor: 1 };

  test("the chat window matches its baseline picture", async ({ playwright, consoleGuard }) => {
    // Playwright's headless Chromium hides scrollbars; this picture shows
    // the Win98 ones, so it gets a browser of its own that keeps them.
    const browser = await playwright.chromium.launch({
      ...test.info().project.use.launchOptions,
      ignoreDefaultArgs: ["--hide-scrollbars"],
    });
    try {
      const context = await browser.newContext({ ...look, baseURL: server.baseURL });
      consoleGuard.watch(context);
      await signUp(context.request, "bob");
      // Enough history to need the message pane's scrollbar (within the
      // server's burst of 10 messages).
      const earlier = Array.from({ length: 9 }, (_, i) => `Earlier message ${i + 1},\non two lines.`);
      await seedMessages("bob", [...earlier, "Hi alice! Welcome to chat98."], server.baseURL);
      await signUp(context.request, "alice");
      await seedMessages("alice", ["Thanks, bob. It looks just like 1998.", "Two lines:\nlike this."], server.baseURL);
      const page = await context.newPage();
      await page.goto("/chat");
      await waitForHydration(page);
      await expect(page.locator(".status-link")).toHaveText("Connected");
      await expect(page.locator(".online-user")).toHaveText(["alice"]);
      await page.evaluate(() => document.fonts.ready);
      // The Win98 scrollbar is there: 16 px wide (Chromium's own is 15).
      const pane = page.locator(".message-pane");
      expect(await pane.evaluate((el) => el.offsetWidth - el.clientWidth - 4)).toBe(16);

      // The times of day differ from run to run: masked on the six bubbles
      // in view (a mask on a time scrolled away would paint over the menu bar).
      const times = page.locator(".message-time");
      const count = await times.count();
      const shown = Array.from({ length: 6 }, (_, i) => times.nth(count - 1 - i));
      await expect(page.locator("section.chat-window")).toHaveScreenshot("chat-window.png", {
        mask: shown,
        maxDiffPixelRatio: 0.01,
      });
    } finally {
      await browser.close();
    }
  });

  test("the sign-in dialog matches its baseline picture", async ({ browser }) => {
    const context = await browser.newContext({ ...look, baseURL: server.baseURL });
    const page = await context.newPage();
    await page.goto("/login");
    await fillCredentials(page, "alice", PASSWORD);
    await page.evaluate(() => document.fonts.ready);
    await expect(page.locator("section.window.dialog")).toHaveScreenshot("login-dialog.png", {
      maxDiffPixelRatio: 0.01,
    });
  });
});
