// Who wrote a message: shown by side, colour and name, and decided by the
// session alone, whatever a websocket frame or a REST body claims.
import type { Page } from "@playwright/test";
import { openChat, send, storedMessages } from "./chat";
import { expect, test } from "./console";
import { uniqueName } from "./seed";

/** The bubble of the message `text` in `page`. */
function bubble(page: Page, text: string) {
  return page.locator(".message[data-id]", { hasText: text });
}

/** Left and right edges of the message pane and of `text`'s bubble. */
async function edges(page: Page, text: string) {
  const pane = await page.locator(".message-list").boundingBox();
  const box = await bubble(page, text).locator(".message-bubble").boundingBox();
  if (!pane || !box) throw new Error(`"${text}" is not on screen`);
  return { left: box.x - pane.x, right: pane.x + pane.width - (box.x + box.width) };
}

test("own messages sit right in blue, others' left in grey, each under its author's name", async ({
  browser,
}) => {
  const ann = uniqueName("ann");
  const bob = uniqueName("bob");
  const a = await openChat(browser, ann);
  const b = await openChat(browser, bob);
  await send(a, "ann speaking");
  await send(b, "bob answering");

  for (const [page, mine, theirs, me, them] of [
    [a, "ann speaking", "bob answering", ann, bob],
    [b, "bob answering", "ann speaking", bob, ann],
  ] as const) {
    const own = bubble(page, mine);
    const other = bubble(page, theirs);
    await expect(own).toHaveClass(/\bown\b/);
    await expect(other).toHaveClass(/\bother\b/);
    await expect(own.locator(".message-author")).toHaveText(me);
    await expect(other.locator(".message-author")).toHaveText(them);
    await expect(own.locator(".message-bubble")).toHaveCSS("background-color", "rgb(204, 229, 255)");
    await expect(other.locator(".message-bubble")).toHaveCSS("background-color", "rgb(234, 234, 234)");
    // Flush against their side of the pane, with room on the other.
    const right = await edges(page, mine);
    const left = await edges(page, theirs);
    expect(right.right).toBeLessThan(1);
    expect(right.left).toBeGreaterThan(20);
    expect(left.left).toBeLessThan(1);
    expect(left.right).toBeGreaterThan(20);
  }
});

test("a forged user_id or user in a websocket frame or a REST body does not change the author", async ({
  browser,
}) => {
  const forger = uniqueName("forger");
  const victim = uniqueName("victim");
  const f = await openChat(browser, forger);
  const v = await openChat(browser, victim);
  const victimId = await v.evaluate(async () => {
    const res = await fetch("/api/auth/me");
    return (await res.json()).id as number;
  });
  const claim = { user_id: victimId, user: { id: victimId, username: victim } };

  // From the forger's page, the way a script there could: the seed's frame
  // and chat98.v2's, each claiming to be the victim.
  const overSockets = await f.evaluate(async (claim) => {
    const exchange = (protocol: string | undefined, frame: object, content: string) =>
      new Promise<any>((resolve, reject) => {
        const ws = protocol
          ? new WebSocket(`ws://${location.host}/ws/chat/`, protocol)
          : new WebSocket(`ws://${location.host}/ws/chat/`);
        const timer = setTimeout(() => reject(new Error(`no answer to ${content}`)), 10_000);
        ws.onopen = () => ws.send(JSON.stringify(frame));
        ws.onmessage = (ev) => {
          const data = JSON.parse(ev.data);
          if (data.message?.content === content) {
            clearTimeout(timer);
            ws.close();
            resolve(data.message);
          }
        };
      });
    return [
      await exchange(undefined, { message: "forged over the seed socket", ...claim }, "forged over the seed socket"),
      await exchange(
        "chat98.v2",
        { type: "message", content: "forged over chat98.v2", client_id: "forged-v2", ...claim },
        "forged over chat98.v2",
      ),
    ];
  }, claim);
  // And over REST, as JSON and as a form.
  const overRest = await f.evaluate(async (claim) => {
    const json = await fetch("/api/chat/messages/", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ content: "forged as JSON", ...claim }),
    });
    const form = await fetch("/api/chat/messages/", {
      method: "POST",
      body: new URLSearchParams({
        content: "forged as a form",
        user_id: String(claim.user_id),
        user: claim.user.username,
      }),
    });
    return [
      { status: json.status, message: await json.json() },
      { status: form.status, message: await form.json() },
    ];
  }, claim);
  for (const answer of overRest) expect(answer.status).toBe(201);

  const forged = ["forged over the seed socket", "forged over chat98.v2", "forged as JSON", "forged as a form"];
  for (const message of [...overSockets, ...overRest.map((a) => a.message)]) {
    expect(message.user.username).toBe(forger);
  }
  // What the server stored, read with the victim's own session.
  const stored = (await storedMessages(v)).filter((m) => forged.includes(m.content));
  expect(stored.map((m) => m.content)).toEqual(forged);
  for (const m of stored) expect(m.user.username).toBe(forger);
  // The victim's open page shows them as someone else's, by the forger.
  for (const text of forged) {
    await expect(bubble(v, text)).toHaveClass(/\bother\b/);
    await expect(bubble(v, text).locator(".message-author")).toHaveText(forger);
    await expect(bubble(f, text)).toHaveClass(/\bown\b/);
  }
});
