import type { ConsoleMessage, Page } from "@playwright/test";

/**
 * Collects console errors and warnings (hydration mismatches, CSP violations).
 * Chromium also logs every 4xx answer to a fetch; `expectedStatuses` names the
 * ones a test provokes on purpose (a validation error is a 400 by design).
 */
export function watchConsole(page: Page, expectedStatuses: number[] = []): string[] {
  const problems: string[] = [];
  const expected = expectedStatuses.map(
    (s) => `Failed to load resource: the server responded with a status of ${s} `,
  );
  page.on("console", (msg: ConsoleMessage) => {
    if (expected.some((e) => msg.text().startsWith(e))) return;
    if (msg.type() === "error" || msg.type() === "warning") {
      problems.push(`${msg.type()}: ${msg.text()}`);
    }
  });
  page.on("pageerror", (err) => problems.push(`pageerror: ${err.message}`));
  return problems;
}

/** Resolves once the WASM bundle has hydrated the page. */
export async function waitForHydration(page: Page) {
  await page.waitForFunction(() => (window as any).__chat98_hydrated === true, null, {
    timeout: 20_000,
  });
}
