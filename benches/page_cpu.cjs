// CPU a browser spends on idle pages: opens N signed-in pages of PATH in
// Debian's Chromium against a running chat98, waits 5 s, then reports the
// CPU time all Chromium processes used over 20 s, in % of one core.
//   node benches/page_cpu.cjs BASE_URL [N=10] [PATH=/chat]
// NOJS=1 turns JavaScript off; BLUR=1 takes the focus out of the message
// box (its blinking caret repaints twice a second).
// Run from the project folder after `make tools` (it uses end2end's Playwright).
const { chromium } = require("../end2end/node_modules/@playwright/test");
const { execSync } = require("node:child_process");

const [base, count = "10", path = "/chat"] = process.argv.slice(2);
if (!base) {
  console.error("usage: node benches/page_cpu.cjs BASE_URL [N] [PATH]");
  process.exit(2);
}

/** utime + stime of every Chromium process, in clock ticks (1/100 s). */
function chromiumTicks() {
  const pids = execSync("pgrep -f chromium || true").toString().split("\n").filter(Boolean);
  let ticks = 0;
  for (const pid of pids) {
    try {
      const stat = require("node:fs").readFileSync(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // The process ended meanwhile.
    }
  }
  return ticks;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

(async () => {
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  for (let i = 0; i < Number(count); i++) {
    const context = await browser.newContext({ baseURL: base, javaScriptEnabled: !process.env.NOJS });
    const username = `cpu_${Math.random().toString(16).slice(2, 10)}`;
    const res = await context.request.post("/api/auth/register", {
      form: { username, password: "correct horse battery" },
    });
    if (res.status() !== 200) throw new Error(`sign-up: ${res.status()}`);
    const page = await context.newPage();
    await page.goto(path);
    if (process.env.BLUR) await page.locator("textarea").blur();
  }
  await sleep(5_000);
  const before = chromiumTicks();
  await sleep(20_000);
  const used = (chromiumTicks() - before) / 100 / 20;
  console.log(`${count} pages of ${path}: ${(used * 100).toFixed(1)} % of one core`);
  await browser.close();
})();
