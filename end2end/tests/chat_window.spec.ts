import { expect, test, waitForHydration } from "./console";
import { seedMessages, signUp, uniqueName } from "./seed";

test("the chat window shows the seeded history, server-rendered", async ({ page }) => {
  const author = uniqueName("alice");
  const other = uniqueName("bob");
  await signUp(page.context().request, other);
  await seedMessages(other, ["a message from someone else"]);
  await signUp(page.context().request, author);
  const contents = ["hello from the seed", "<script>alert(1)</script>", "third line"];
  await seedMessages(author, contents);

  // The history is in the HTML itself, before any script runs.
  const html = await (await page.context().request.get("/chat")).text();
  for (const c of ["hello from the seed", "&lt;script&gt;alert(1)&lt;/script&gt;", "third line"]) {
    expect(html).toContain(c);
  }

  await page.goto("/chat");
  const win = page.locator("section.window.chat-window");
  await expect(win.locator(".title-bar-text")).toHaveText("Chat Room");
  for (const label of ["Minimize", "Maximize", "Close"]) {
    await expect(win.getByRole("button", { name: label })).toBeVisible();
  }
  await expect(page.locator(".retention-note")).toContainText(
    "Messages in this chat room are stored for up to 3 days before being automatically deleted.",
  );

  const mine = page.locator(".message", { has: page.locator(".message-author", { hasText: author }) });
  await expect(mine).toHaveCount(3);
  await expect(mine.locator(".message-content")).toHaveText(contents);
  await expect(mine.first()).toHaveClass(/own/);
  await expect(page.locator(".status-user")).toHaveText(`Signed in as ${author}`);
  // Shown as text: no script element was created from the message.
  await expect(page.locator(".message-content script")).toHaveCount(0);
  // HH:MM (labelled UTC until the browser has said its zone) with the full
  // date, time and zone in the tooltip (times.spec.ts checks the zones).
  const time = mine.first().locator("time");
  await expect(time).toHaveText(/^\d\d:\d\d( UTC)?$/);
  await expect(time).toHaveAttribute("title", /^[A-Z][a-z]+day, \d{1,2} [A-Z][a-z]+ \d{4} \d\d:\d\d:\d\d \(.+\)$/);

  const theirs = page.locator(".message", { has: page.locator(".message-author", { hasText: other }) });
  await expect(theirs.locator(".message-content")).toHaveText("a message from someone else");
  await expect(theirs).toHaveClass(/other/);
  await waitForHydration(page);
});

test("hydration makes the page interactive without re-rendering", async ({ page }) => {
  await signUp(page.context().request, uniqueName("hydra"));
  // Hold the WASM back so the server-rendered page can be marked first.
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  await page.route("**/pkg/*.wasm", async (route) => {
    await gate;
    await route.continue();
  });
  await page.goto("/chat");
  const input = page.getByRole("textbox", { name: "Message" });
  const send = page.getByRole("button", { name: "Send" });

  // Server-rendered state: Send works (a plain form post without JavaScript).
  await expect(send).toBeEnabled();
  await input.evaluate((el) => ((el as any).__marker = "server-node"));
  release();
  await waitForHydration(page);

  // Hydrated: Send waits for text, in the very node the server rendered (not replaced).
  await expect(send).toBeDisabled();
  await input.fill("hello");
  await expect(send).toBeEnabled();
  expect(await input.evaluate((el) => (el as any).__marker)).toBe("server-node");
  await input.fill("   ");
  await expect(send).toBeDisabled();

  // Window controls work once hydrated.
  const win = page.locator("section.window.chat-window");
  await win.getByRole("button", { name: "Maximize" }).click();
  await expect(win).toHaveClass(/maximized/);
  await win.getByRole("button", { name: "Restore" }).click();
  await expect(win).not.toHaveClass(/maximized/);
});

test("an unknown path shows a Win98 error window with status 404", async ({ page, consoleGuard }) => {
  // The browser reports the 404 document itself as a failed load.
  consoleGuard.allow(404);
  const res = await page.goto("/definitely/not/here");
  expect(res?.status()).toBe(404);
  await expect(page.locator("section.window .title-bar-text")).toHaveText("Error");
  await expect(page.getByText("Page not found (404)")).toBeVisible();
});

test("/ leads to the chat room", async ({ page }) => {
  await signUp(page.context().request, uniqueName("root"));
  await page.goto("/");
  await expect(page).toHaveURL(/\/chat$/);
  await expect(page.locator(".title-bar-text").first()).toHaveText("Chat Room");
});
