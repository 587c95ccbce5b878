// Several people in one room at once: what one sends shows up in every other
// open page without a reload, and messages sent at the same moment end up in
// one order that every page and the server agree on.
import { notReloaded, openChat, send, shownMessages, storedMessages } from "./chat";
import { expect, test } from "./console";
import { useOwnServer } from "./own_server";
import { uniqueName } from "./seed";

test("a message shows up in every other open page without a reload", async ({ browser }) => {
  const names = [uniqueName("ann"), uniqueName("bob"), uniqueName("cyd")];
  const [a, ...others] = await Promise.all(names.map((n) => openChat(browser, n)));
  await send(a, "hello, both of you");
  for (const page of others) {
    const seen = page.locator(".message.other", { hasText: "hello, both of you" });
    await expect(seen).toHaveCount(1);
    await expect(seen.locator(".message-author")).toHaveText(names[0]);
    expect(await notReloaded(page)).toBe(true);
  }
});

test.describe("in a room of its own", () => {
  // Comparing whole conversations needs a room no other test writes into.
  const server = useOwnServer();

  test("three people sending at once end with the same messages in the same order", async ({ browser }) => {
    const names = [uniqueName("ann"), uniqueName("bob"), uniqueName("cyd")];
    const pages = await Promise.all(names.map((n) => openChat(browser, n, server.baseURL)));
    const rounds = 4;
    // Each round all three press Enter together, so their messages interleave.
    for (let round = 0; round < rounds; round++) {
      await Promise.all(pages.map((page, i) => send(page, `${names[i]} says ${round}`)));
    }
    const total = rounds * names.length;
    for (const page of pages) {
      await expect(page.locator(".message[data-id]")).toHaveCount(total);
      await expect(page.locator(".message.pending, .message.failed")).toHaveCount(0);
    }

    const views = await Promise.all(pages.map(shownMessages));
    const conversation = views[0].map(({ id, author, content }) => ({ id, author, content }));
    for (const [i, view] of views.entries()) {
      // The same messages in the same order everywhere...
      expect(view.map(({ id, author, content }) => ({ id, author, content }))).toEqual(conversation);
      // ...each page drawing exactly its own user's on its side.
      expect(view.map((m) => m.own)).toEqual(view.map((m) => m.author === names[i]));
      expect(await notReloaded(pages[i])).toBe(true);
    }
    // Each message once, under the right name, in id order, each sender's in
    // the order sent.
    const ids = conversation.map((m) => m.id);
    expect(ids).toEqual([...ids].sort((x, y) => x - y));
    expect(new Set(ids).size).toBe(total);
    for (const m of conversation) expect(m.content).toMatch(new RegExp(`^${m.author} says \\d$`));
    for (const name of names) {
      expect(conversation.filter((m) => m.author === name).map((m) => m.content)).toEqual(
        Array.from({ length: rounds }, (_, round) => `${name} says ${round}`),
      );
    }
    // The server's history is that same conversation.
    const stored = (await storedMessages(pages[0])).map((m) => ({
      id: m.id,
      author: m.user.username,
      content: m.content,
    }));
    expect(stored).toEqual(conversation);
  });
});
