import { fillCredentials } from "./chat";
import { expect, test, waitForHydration } from "./console";
import { PASSWORD, signUp, uniqueName } from "./seed";

test.describe("with JavaScript", () => {
  test("sign up, log off and sign in: plain forms, the bundle only on /chat", async ({ page }) => {
    const name = uniqueName("Js_User");
    // The sign-in pages have no islands: they load no JavaScript or WASM.
    const bundle: string[] = [];
    page.on("request", (req) => {
      const path = new URL(req.url()).pathname;
      if (/^\/pkg\/.*\.(js|wasm)$/.test(path)) bundle.push(new URL(page.url()).pathname);
    });

    await page.goto("/chat");
    await expect(page).toHaveURL(/\/login\?next=%2Fchat|\/login\?next=\/chat/);
    await expect(page.locator(".title-bar-text")).toHaveText("Log On to chat98");
    await expect(page.getByLabel("User name:")).toBeFocused();

    await page.getByRole("link", { name: "Create an account" }).click();
    await expect(page).toHaveURL(/\/register/);
    await expect(page.locator(".title-bar-text")).toHaveText("Create a chat98 Account");

    await fillCredentials(page, name, "short");
    await page.getByRole("button", { name: "OK" }).click();
    await expect(page.locator("#password-errors")).toHaveText("Use at least 8 characters.");

    await fillCredentials(page, name, PASSWORD);
    await page.getByRole("button", { name: "OK" }).click();
    await expect(page).toHaveURL(/\/chat$/);
    await expect(page.locator(".status-user")).toHaveText(`Signed in as ${name}`);
    await waitForHydration(page);
    expect(bundle.length, "the bundle loads on /chat").toBeGreaterThan(0);
    expect(bundle.filter((at) => at !== "/chat"), "pages that loaded the bundle").toEqual([]);

    await page.getByRole("button", { name: "Log Off" }).click();
    await expect(page).toHaveURL(/\/login$/);
    expect(await page.evaluate(() => (window as any).__chat98_hydrated)).toBeUndefined();

    await fillCredentials(page, name.toLowerCase(), "wrong password");
    await page.getByRole("button", { name: "OK" }).click();
    await expect(page.getByRole("alert")).toHaveText("Invalid username or password.");

    await fillCredentials(page, name.toLowerCase(), PASSWORD);
    await page.getByRole("button", { name: "OK" }).click();
    await expect(page).toHaveURL(/\/chat$/);
    await expect(page.locator(".status-user")).toHaveText(`Signed in as ${name}`);
  });

  test("a taken name is reported inline", async ({ page }) => {
    const name = uniqueName("taken");
    await signUp(page.context().request, name);
    await page.context().clearCookies();
    await page.goto("/register");
    await fillCredentials(page, name.toUpperCase(), PASSWORD);
    await page.getByRole("button", { name: "OK" }).click();
    await expect(page.locator("#username-errors")).toHaveText(
      "A user with that username already exists.",
    );
  });
});
