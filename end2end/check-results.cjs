// `make e2e` runs this after the suite: cargo-leptos may exit 0 without having
// run Playwright (when the WASM build fails), so the JSON report must show
// that tests ran and none failed.
const stats = require("../target/e2e-results.json").stats;
console.log(`playwright: ${stats.expected} passed, ${stats.unexpected} failed, ${stats.flaky} flaky`);
process.exit(stats.expected > 0 && stats.unexpected === 0 && stats.flaky === 0 ? 0 : 1);
