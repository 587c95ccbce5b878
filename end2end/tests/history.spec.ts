// History on refresh: a reload brings back the same conversation, and it is
// in the HTML the server sends, before any script runs.
import { openChat, send, shownMessages } from "./chat";
import { expect, test, waitForHydration } from "./console";
import { useOwnServer } from "./own_server";
import { uniqueName } from "./seed";

// Comparing whole conversations needs a room no other test writes into.
const server = useOwnServer();

test("after a reload the same history appears, rendered by the server", async ({ browser, consoleGuard }) => {
  // The page without scripts preloads the WASM bundle it never runs; on a
  // busy machine it stays open long enough for Chromium to say so.
  consoleGuard.allow(/\.wasm was preloaded using link preload but not used/);
  const ann = uniqueName("ann");
  const bob = uniqueName("bob");
  const a = await openChat(browser, ann, server.baseURL);
  const b = await openChat(browser, bob, server.baseURL);
  for (let i = 0; i < 3; i++) {
    await send(a, `ann line ${i}`);
    await expect(b.locator(".message[data-id]", { hasText: `ann line ${i}` })).toHaveCount(1);
    await send(b, `bob line ${i} <b>not bold</b>`);
    await expect(a.locator(".message[data-id]", { hasText: `bob line ${i}` })).toHaveCount(1);
  }
  const before = await shownMessages(a);
  expect(before.map((m) => m.author)).toEqual([ann, bob, ann, bob, ann, bob]);

  // The raw HTML already holds every message, escaped.
  const html = await (await a.context().request.get("/chat")).text();
  for (const m of before) {
    expect(html).toContain(`data-id="${m.id}"`);
    expect(html).toContain(m.content.replace("<b>", "&lt;b&gt;").replace("</b>", "&lt;/b&gt;"));
  }

  // A browser that runs no script at all shows the same conversation.
  const plain = await browser.newContext({
    baseURL: server.baseURL,
    javaScriptEnabled: false,
    storageState: await a.context().storageState(),
  });
  const noScript = await plain.newPage();
  await noScript.goto("/chat");
  expect(await shownMessages(noScript)).toEqual(before);

  await a.reload();
  expect(await shownMessages(a)).toEqual(before);
  await waitForHydration(a);
  await expect(a.locator(".status-link")).toHaveText("Connected");
  expect(await shownMessages(a)).toEqual(before);
  await expect(a.locator(".message-content b")).toHaveCount(0);
});
