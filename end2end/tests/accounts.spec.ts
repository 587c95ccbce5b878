import { fillCredentials } from "./chat";
import { expect, test, waitForHydration } from "./console";
import { PASSWORD, signUp, uniqueName } from "./seed";

test.describe("with JavaScript", () => {
  test("sign up, log off and sign in without reloading", async ({ page, consoleGuard }) => {
    // 400: the short password; 401: the wrong one.
    consoleGuard.allow(400, 401);
    const name = uniqueName("Js_User");

    await page.goto("/chat");
    await expect(page).toHaveURL(/\/login\?next=%2Fchat|\/login\?next=\/chat/);
    await expect(page.locator(".title-bar-text")).toHaveText("Log On to chat98");
    await expect(page.getByLabel("User name:")).toBeFocused();
    await waitForHydration(page);

    await page.getByRole("link", { name: "Create an account" }).click();
    await expect(page).toHaveURL(/\/register/);
    await expect(page.locator(".title-bar-text")).toHaveText("Create a chat98 Account");
    // Mark this document: a client-side navigation keeps it, a reload would not.
    await page.evaluate(() => ((window as any).__same_document = true));

    await fillCredentials(page, name, "short");
    await page.getByRole("button", { name: "OK" }).click();
    await expect(page.locator("#password-errors")).toHaveText("Use at least 8 characters.");

    await fillCredentials(page, name, PASSWORD);
    await page.getByRole("button", { name: "OK" }).click();
    await expect(page).toHaveURL(/\/chat$/);
    await expect(page.locator(".status-user")).toHaveText(`Signed in as ${name}`);
    expect(await page.evaluate(() => (window as any).__same_document)).toBe(true);

    await page.getByRole("button", { name: "Log Off" }).click();
    await expect(page).toHaveURL(/\/login$/);
    await waitForHydration(page);

    await fillCredentials(page, name.toLowerCase(), "wrong password");
    await page.getByRole("button", { name: "OK" }).click();
    await expect(page.getByRole("alert")).toHaveText("Invalid username or password.");

    await page.evaluate(() => ((window as any).__same_document = true));
    await fillCredentials(page, name.toLowerCase(), PASSWORD);
    await page.getByRole("button", { name: "OK" }).click();
    await expect(page).toHaveURL(/\/chat$/);
    await expect(page.locator(".status-user")).toHaveText(`Signed in as ${name}`);
    expect(await page.evaluate(() => (window as any).__same_document)).toBe(true);
  });

  test("a taken name is reported inline", async ({ page, consoleGuard }) => {
    // The refused sign-up answers 409 Conflict.
    consoleGuard.allow(409);
    const name = uniqueName("taken");
    await signUp(page.context().request, name);
    await page.context().clearCookies();
    await page.goto("/register");
    await waitForHydration(page);
    await fillCredentials(page, name.toUpperCase(), PASSWORD);
    await page.getByRole("button", { name: "OK" }).click();
    await expect(page.locator("#username-errors")).toHaveText(
      "A user with that username already exists.",
    );
  });
});
