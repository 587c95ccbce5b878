// Times people can read: in the reader's time zone once the browser has
// said it (and on the next server-rendered page through the `tz` cookie),
// in UTC and labelled so without JavaScript, with a divider before each
// day's first message: in the server's HTML, on live messages, after a
// deletion and when older pages load.
//
// The history spans three days, so it is written while no server runs: the
// test's own server stores the messages, stops, gets old timestamps written
// into its SQLite file, and starts again on it.
import { execFileSync } from "node:child_process";
import { request, type Browser, type BrowserContext, type Page } from "@playwright/test";
import { send } from "./chat";
import { expect, test, waitForHydration } from "./console";
import { OwnServer } from "./own_server";
import { signUp, uniqueName } from "./seed";

// UTC+14 all year round: its days start at 10:00 UTC.
const ZONE = "Pacific/Kiritimati";
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

type Old = { content: string; at: number };

/** The history, around the start (UTC 10:00) of yesterday in Kiritimati. */
function oldHistory(now: number): Old[] {
  const offset = 14 * HOUR;
  const todayStarts = Math.floor((now + offset) / DAY) * DAY - offset;
  const yesterdayStarts = todayStarts - DAY;
  return [
    { content: "late evening", at: yesterdayStarts - 70 * MINUTE },
    { content: "before midnight", at: yesterdayStarts - 10 * MINUTE },
    { content: "after midnight", at: yesterdayStarts + 10 * MINUTE },
    // Around midnight UTC (14:00 in Kiritimati).
    { content: "before UTC midnight", at: yesterdayStarts + 13 * HOUR + 50 * MINUTE },
    { content: "after UTC midnight", at: yesterdayStarts + 14 * HOUR + 10 * MINUTE },
  ];
}

/** "2026-11-23" in `timeZone`. */
function dayIn(ms: number, timeZone: string): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(ms);
}

/** "Monday, 23 November 2026" in `timeZone`. */
function longDate(ms: number, timeZone: string): string {
  const parts = new Intl.DateTimeFormat("en-GB", {
    timeZone,
    weekday: "long",
    day: "numeric",
    month: "long",
    year: "numeric",
  }).formatToParts(ms);
  const part = (type: string) => parts.find((p) => p.type === type)?.value;
  return `${part("weekday")}, ${part("day")} ${part("month")} ${part("year")}`;
}

/** "23:50:00" in `timeZone`. */
function clockIn(ms: number, timeZone: string): string {
  return new Intl.DateTimeFormat("en-GB", {
    timeZone,
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hourCycle: "h23",
  }).format(ms);
}

/** What the divider of the day of `ms` says, for a reader in `timeZone`. */
function dayLabel(ms: number, timeZone: string, now: number): string {
  const day = dayIn(ms, timeZone);
  if (day === dayIn(now, timeZone)) return "Today";
  // Neither zone here has daylight saving time: a day is 24 hours.
  if (day === dayIn(now - DAY, timeZone)) return "Yesterday";
  return longDate(ms, timeZone);
}

/**
 * The list as a reader in `zone` should see it (`null`: zone unknown, UTC
 * and labelled): "-- label --" for a divider, "time content" for a message.
 */
function expectedRows(messages: Old[], zone: string | null, now: number): string[] {
  const timeZone = zone ?? "UTC";
  const rows: string[] = [];
  let lastDay = "";
  for (const m of messages) {
    const day = dayIn(m.at, timeZone);
    if (day !== lastDay) rows.push(`-- ${dayLabel(m.at, timeZone, now)} --`);
    lastDay = day;
    const clock = clockIn(m.at, timeZone).slice(0, 5);
    rows.push(`${zone ? clock : `${clock} UTC`} ${m.content}`);
  }
  return rows;
}

/** The list the page shows, in the same form. */
async function shownRows(page: Page): Promise<string[]> {
  return page.locator(".message-list > li:not(.pending):not(.failed)").evaluateAll((items) =>
    items.map((li) =>
      li.classList.contains("day-divider")
        ? `-- ${li.textContent?.trim()} --`
        : `${li.querySelector(".message-time")?.textContent} ${li.querySelector(".message-content")?.textContent}`,
    ),
  );
}

/** The tooltip of the message saying `content`. */
function tooltip(page: Page, content: string) {
  return page.locator(".message", { hasText: content }).locator(".message-time");
}

/** Writes `at` as each message's timestamp, as the server stores it (no server runs). */
function backdate(databaseFile: string, stored: { id: number; at: number }[]) {
  const updates = stored.map(
    ({ id, at }) =>
      `UPDATE messages SET timestamp = '${new Date(at).toISOString().replace(".000Z", "+00:00")}' WHERE id = ${id};`,
  );
  execFileSync("sqlite3", [databaseFile, updates.join("\n")]);
}

test.describe("times in the reader's zone, with day dividers", () => {
  // One prepared room, read by the tests in turn.
  test.describe.configure({ mode: "serial" });

  const env = { CHAT_MESSAGE_BURST: "100000", CHAT_REGISTER_MAX: "100000" };
  let server: OwnServer;
  let history: Old[];
  let ann: Awaited<ReturnType<BrowserContext["storageState"]>>;

  test.beforeAll(async () => {
    const first = await OwnServer.start(env);
    const api = await request.newContext({ baseURL: first.baseURL });
    await signUp(api, uniqueName("ann"));
    history = oldHistory(Date.now());
    const stored: { id: number; at: number }[] = [];
    for (const m of history) {
      const res = await api.post("/api/chat/messages/", { data: { content: m.content } });
      expect(res.status()).toBe(201);
      stored.push({ id: (await res.json()).id, at: m.at });
    }
    ann = await api.storageState();
    await api.dispose();
    await first.halt();
    backdate(first.databaseFile, stored);
    server = await OwnServer.start(env, first.dataFolder);
  });
  test.afterAll(() => server?.stop());

  function context(browser: Browser, options: Parameters<Browser["newContext"]>[0] = {}) {
    return browser.newContext({ baseURL: server.baseURL, timezoneId: ZONE, storageState: ann, ...options });
  }

  test("without JavaScript: UTC, labelled, and UTC's days", async ({ browser, consoleGuard }) => {
    consoleGuard.allow(/\.wasm was preloaded using link preload but not used/);
    const page = await (await context(browser, { javaScriptEnabled: false })).newPage();
    await page.goto("/chat");
    const rows = await shownRows(page);
    expect(rows).toEqual(expectedRows(history, null, Date.now()));
    // 10 minutes either side of 10:00 UTC: one UTC day, no divider between.
    expect(rows.slice(2, 4)).toEqual(["09:50 UTC before midnight", "10:10 UTC after midnight"]);
    // 23:50 and 00:10 UTC: a divider between.
    expect(rows.slice(4)).toEqual([
      "23:50 UTC before UTC midnight",
      expect.stringMatching(/^-- .+ --$/),
      "00:10 UTC after UTC midnight",
    ]);
    const after = history[2].at;
    await expect(tooltip(page, "after midnight")).toHaveAttribute("title", `${longDate(after, "UTC")} 10:10:00 (UTC)`);
  });

  test("with JavaScript: the browser's zone, remembered for the next server-rendered page", async ({
    browser,
    consoleGuard,
  }) => {
    consoleGuard.allow(/\.wasm was preloaded using link preload but not used/);
    const reader = await context(browser);
    const page = await reader.newPage();
    await page.goto("/chat");
    await waitForHydration(page);
    const inZone = expectedRows(history, ZONE, Date.now());
    await expect.poll(() => shownRows(page)).toEqual(inZone);
    expect(inZone).toContain("23:50 before midnight");
    expect(inZone[inZone.indexOf("23:50 before midnight") + 1]).toBe("-- Yesterday --");
    expect(inZone[inZone.indexOf("-- Yesterday --") + 1]).toBe("00:10 after midnight");
    // 14:00 in Kiritimati is no midnight there.
    expect(inZone.slice(-2)).toEqual(["13:50 before UTC midnight", "14:10 after UTC midnight"]);
    const after = history[2].at;
    const full = `${longDate(after, ZONE)} 00:10:00 (${ZONE})`;
    await expect(tooltip(page, "after midnight")).toHaveAttribute("title", full);

    const cookie = (await reader.cookies()).find((c) => c.name === "tz");
    expect(cookie).toMatchObject({ value: ZONE, path: "/", sameSite: "Lax", httpOnly: false });
    expect(cookie!.expires * 1000).toBeGreaterThan(Date.now() + 364 * DAY);

    // The server's HTML now has the zone's times, before any script runs.
    const html = await (await reader.request.get("/chat")).text();
    expect(html).toContain(`title="${full}"`);
    const plain = await browser.newContext({
      baseURL: server.baseURL,
      javaScriptEnabled: false,
      storageState: await reader.storageState(),
    });
    const noScript = await plain.newPage();
    await noScript.goto("/chat");
    expect(await shownRows(noScript)).toEqual(inZone);

    // Reloaded with the WASM held back: the server already rendered the
    // zone's times, and hydration takes them over as they are.
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    await page.route("**/pkg/*.wasm", async (route) => {
      await gate;
      await route.continue();
    });
    await page.reload();
    expect(await shownRows(page)).toEqual(inZone);
    release();
    await waitForHydration(page);
    await expect(page.locator(".status-link")).toHaveText("Connected");
    expect(await shownRows(page)).toEqual(inZone);
  });

  test("live messages, deletions and older pages keep the dividers right", async ({ browser }) => {
    const reader = await context(browser);
    const page = await reader.newPage();
    await page.goto("/chat");
    await waitForHydration(page);
    await expect(page.locator(".status-link")).toHaveText("Connected");
    const before = expectedRows(history, ZONE, Date.now());
    await expect.poll(() => shownRows(page)).toEqual(before);

    // A message now: Today's divider appears above it, and goes with it.
    await send(page, "written today");
    const mine = page.locator(".message[data-id]", { hasText: "written today" });
    await expect(mine).toHaveCount(1);
    const rows = await shownRows(page);
    expect(rows.slice(0, -2)).toEqual(before);
    expect(rows.slice(-2)).toEqual(["-- Today --", expect.stringMatching(/^\d\d:\d\d written today$/)]);
    const id = await mine.getAttribute("data-id");
    const deleted = await reader.request.delete(`/api/chat/messages/${id}/`);
    expect(deleted.status()).toBe(204);
    await expect.poll(() => shownRows(page)).toEqual(before);

    // A hundred messages today: the page opens on them alone, and the older
    // page loaded on scrolling back brings its days' dividers above Today's.
    for (let i = 0; i < 100; i++) {
      const res = await reader.request.post("/api/chat/messages/", { data: { content: `today ${i}` } });
      expect(res.status()).toBe(201);
    }
    await page.reload();
    await waitForHydration(page);
    await expect.poll(async () => (await shownRows(page)).slice(0, 2)).toEqual(["-- Today --", expect.stringMatching(/ today 0$/)]);
    await page.locator(".message-pane").evaluate((pane) => (pane.scrollTop = -pane.scrollHeight));
    await expect(page.locator(".message[data-id]")).toHaveCount(105);
    const all = await shownRows(page);
    expect(all.slice(0, before.length)).toEqual(before);
    expect(all[before.length]).toBe("-- Today --");
    expect(all.filter((row) => row === "-- Today --")).toHaveLength(1);
  });
});
