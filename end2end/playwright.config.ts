import { defineConfig } from "@playwright/test";

// cargo-leptos starts the server and runs this suite at once; global-setup
// waits until the server answers before any test runs.
const baseURL = process.env.CHAT98_BASE_URL ?? "http://127.0.0.1:3000";

export default defineConfig({
  testDir: "./tests",
  globalSetup: "./global-setup.ts",
  // 90 s: a 2-core machine running the whole suite with two browsers and
  // several servers of its own is slow; a hang still fails the test.
  timeout: 90_000,
  expect: { timeout: 5_000 },
  fullyParallel: true,
  forbidOnly: !!process.env.CI,
  retries: 0,
  workers: 2,
  // The JSON report lets `make e2e` check that the suite really ran and passed
  // (cargo-leptos can exit 0 without running it when the WASM build fails).
  reporter: [
    ["list"],
    ["html", { open: "never" }],
    ["json", { outputFile: "../target/e2e-results.json" }],
  ],
  outputDir: "test-results",
  use: {
    baseURL,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      // Debian's chromium: never `npx playwright install` (no downloads here).
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--font-render-hinting=none",
      ],
    },
  },
  projects: [{ name: "chromium", use: { browserName: "chromium" } }],
});
