import { test as base, expect, type BrowserContext, type Page } from "@playwright/test";

/**
 * What a test provokes on purpose: an HTTP status (Chromium logs every 4xx
 * answer to a fetch as an error; a validation error is a 400 by design) or a
 * pattern of the console text.
 */
type Expected = number | RegExp;

/**
 * Collects console errors and warnings (hydration mismatches, CSP violations)
 * and uncaught page errors from every browser context a test opens.
 */
export class ConsoleGuard {
  readonly problems: string[] = [];
  private expected: Expected[] = [];
  private watched = new WeakSet<BrowserContext>();

  /** Tells the guard about messages this test causes on purpose. */
  allow(...expected: Expected[]) {
    this.expected.push(...expected);
  }

  watch(context: BrowserContext) {
    if (this.watched.has(context)) return;
    this.watched.add(context);
    context.on("console", (msg) => {
      if (msg.type() !== "error" && msg.type() !== "warning") return;
      if (this.isExpected(msg.text())) return;
      this.problems.push(`${msg.type()}: ${msg.text()}`);
    });
    context.on("weberror", (err) => this.problems.push(`pageerror: ${err.error().message}`));
  }

  private isExpected(text: string): boolean {
    return this.expected.some((e) =>
      typeof e === "number"
        ? text.startsWith(`Failed to load resource: the server responded with a status of ${e} `)
        : e.test(text),
    );
  }
}

/**
 * Every spec imports `test` from here: each test fails if any page it opened
 * (in its own context or in one from `browser.newContext()`) logged an error
 * or warning it did not `allow`.
 */
export const test = base.extend<{ consoleGuard: ConsoleGuard }>({
  consoleGuard: [
    async ({ browser, context }, use) => {
      const guard = new ConsoleGuard();
      guard.watch(context);
      // Contexts the test makes itself are watched too, for this test only,
      // and closed when it ends: a chat page left open keeps its socket and
      // clock running, and dozens of them slow every later test.
      const newContext = browser.newContext;
      const made: BrowserContext[] = [];
      browser.newContext = async (...args) => {
        const context = await newContext.apply(browser, args);
        made.push(context);
        guard.watch(context);
        return context;
      };
      try {
        await use(guard);
      } finally {
        browser.newContext = newContext;
      }
      const problems = [...guard.problems];
      await Promise.all(made.map((context) => context.close().catch(() => {})));
      expect(problems, "console errors, warnings or page errors").toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };

/** Resolves once the WASM bundle has hydrated the page. */
export async function waitForHydration(page: Page) {
  await page.waitForFunction(() => (window as any).__chat98_hydrated === true, null, {
    timeout: 20_000,
  });
}
