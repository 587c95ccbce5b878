// `make e2e` runs this after the suite, whatever cargo-leptos returned:
// cargo-leptos may exit 0 without having run Playwright (when the WASM build
// fails), so the JSON report must show that tests ran and none failed. On a
// failure it names the failed tests last, where a log's tail shows them (on
// stderr, after cargo-leptos's own panic report there).
const fs = require("fs");
const path = require("path");

const report = path.join(__dirname, "..", "target", "e2e-results.json");
if (!fs.existsSync(report)) {
  console.error("playwright: no report (the suite did not run)");
  process.exit(1);
}
const { stats, suites } = JSON.parse(fs.readFileSync(report, "utf8"));

// Every test of every (nested) suite, with the file it is in.
function* tests(suite, file) {
  for (const spec of suite.specs ?? []) {
    for (const test of spec.tests ?? []) yield { file: spec.file ?? file, title: spec.title, test };
  }
  for (const child of suite.suites ?? []) yield* tests(child, suite.file ?? file);
}

for (const suite of suites ?? []) {
  for (const { file, title, test } of tests(suite, suite.file)) {
    if (test.status === "expected" || test.status === "skipped") continue;
    console.error(`${test.status}: ${file} › ${title}`);
    for (const result of test.results ?? []) {
      const message = (result.error?.message ?? "").replace(/\u001b\[[0-9;]*m/g, "");
      console.error(`  attempt ${result.retry}: ${message.split("\n").slice(0, 6).join("\n    ")}`);
    }
  }
}
console.error(`playwright: ${stats.expected} passed, ${stats.unexpected} failed, ${stats.flaky} flaky`);
process.exit(stats.expected > 0 && stats.unexpected === 0 && stats.flaky === 0 ? 0 : 1);
