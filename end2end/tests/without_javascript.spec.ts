// The whole visit with scripts turned off: every step is a plain form post
// or link, and the server renders every answer.
import { fillCredentials } from "./chat";
import { expect, test } from "./console";
import { PASSWORD, seedMessages, signUp, uniqueName } from "./seed";

test.use({ javaScriptEnabled: false });

test("register, read, post, see errors, log off and sign in again with plain forms", async ({
  page,
  playwright,
  consoleGuard,
}) => {
  // The page preloads the WASM bundle for browsers that run it; this one
  // never does, and Chromium says so if a page stays open for a few seconds.
  consoleGuard.allow(/\.wasm was preloaded using link preload but not used/);
  // Someone else has already written in the room.
  const other = uniqueName("earlier");
  const api = await playwright.request.newContext({ baseURL: test.info().project.use.baseURL });
  await signUp(api, other);
  await api.dispose();
  await seedMessages(other, ["written before you came"]);
  const name = uniqueName("NoJs");

  await page.goto("/chat");
  await expect(page).toHaveURL(/\/login\?next=/);
  await page.getByRole("link", { name: "Create an account" }).click();
  await expect(page).toHaveURL(/\/register\?next=/);

  // Invalid fields come back inline, next to each field.
  await fillCredentials(page, "x", "short");
  await page.getByRole("button", { name: "OK" }).click();
  await expect(page.locator("#username-errors")).toHaveText("Use at least 3 characters.");
  await expect(page.locator("#password-errors")).toHaveText("Use at least 8 characters.");
  await expect(page.getByLabel("User name:")).toHaveAttribute("aria-invalid", "true");

  await fillCredentials(page, name, PASSWORD);
  await page.getByRole("button", { name: "OK" }).click();
  await expect(page).toHaveURL(/\/chat$/);
  await expect(page.locator(".status-user")).toHaveText(`Signed in as ${name}`);
  // Nothing is live without scripts: the status bar offers a reload.
  await expect(page.locator(".status-link")).toHaveText("Refresh");

  // The history is there, the other person's message on their side.
  const earlier = page.locator(".message", { hasText: "written before you came" });
  await expect(earlier).toHaveClass(/other/);
  await expect(earlier.locator(".message-author")).toHaveText(other);

  const input = page.getByRole("textbox", { name: "Message" });
  await input.fill("sent without scripts");
  await page.getByRole("button", { name: "Send" }).click();
  await expect(page).toHaveURL(/\/chat$/);
  const mine = page.locator(".message.own", { hasText: "sent without scripts" });
  await expect(mine).toHaveCount(1);
  await expect(mine.locator(".message-author")).toHaveText(name);
  await expect(input).toHaveValue("");

  // A blank message: the reason shows inside the window, nothing is stored.
  await input.fill("   ");
  await page.getByRole("button", { name: "Send" }).click();
  await expect(page.locator(".chat-window .composer-error")).toHaveText("This field may not be blank.");
  await expect(mine).toHaveCount(1);

  await page.getByRole("button", { name: "Log Off" }).click();
  await expect(page).toHaveURL(/\/login$/);
  await page.goto("/chat");
  await expect(page).toHaveURL(/\/login\?next=/);

  await fillCredentials(page, name, "wrong password");
  await page.getByRole("button", { name: "OK" }).click();
  await expect(page.getByRole("alert")).toHaveText("Invalid username or password.");

  await fillCredentials(page, name, PASSWORD);
  await page.getByRole("button", { name: "OK" }).click();
  await expect(page).toHaveURL(/\/chat$/);
  await expect(page.locator(".status-user")).toHaveText(`Signed in as ${name}`);
  await expect(mine).toHaveCount(1);
});
