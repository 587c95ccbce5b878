// Web addresses in messages are links (a new tab, no referrer, `nofollow
// ugc`), the same when the server renders the page, after hydration, on a
// live message and without JavaScript; nothing else turns into markup.
import type { Page } from "@playwright/test";
import { openChat, send } from "./chat";
import { expect, test, waitForHydration } from "./console";
import { seedMessages, signUp, uniqueName } from "./seed";

const MESSAGE =
  "see https://en.wikipedia.org/wiki/Mercury_(planet), www.example.org and " +
  "javascript:alert(1) <b>bold?</b> https://p\u0430ypal.com/login";

type Link = { text: string; href: string; target: string; rel: string; title: string | null };

/** The links in the message that says `marker`. */
async function linksIn(page: Page, marker: string): Promise<Link[]> {
  const content = page.locator(".message[data-id] .message-content", { hasText: marker });
  await expect(content).toHaveCount(1);
  return content.locator("a").evaluateAll((els) =>
    els.map((a) => ({
      text: a.textContent ?? "",
      href: a.getAttribute("href") ?? "",
      target: a.getAttribute("target") ?? "",
      rel: a.getAttribute("rel") ?? "",
      title: a.getAttribute("title"),
    })),
  );
}

function expectTheLinks(links: Link[]) {
  const rel = "noopener noreferrer nofollow ugc";
  expect(links).toEqual([
    {
      text: "https://en.wikipedia.org/wiki/Mercury_(planet)",
      href: "https://en.wikipedia.org/wiki/Mercury_(planet)",
      target: "_blank",
      rel,
      title: null,
    },
    { text: "www.example.org", href: "https://www.example.org", target: "_blank", rel, title: null },
    {
      text: "https://p\u0430ypal.com/login",
      href: "https://p\u0430ypal.com/login",
      target: "_blank",
      rel,
      title: "https://xn--pypal-4ve.com/login",
    },
  ]);
}

test("links on a live message and after a reload, never markup", async ({ browser }) => {
  const marker = uniqueName("links");
  const sender = await openChat(browser, uniqueName("linker"));
  const reader = await openChat(browser, uniqueName("reader"));
  await send(sender, `${marker} ${MESSAGE}`);
  expectTheLinks(await linksIn(reader, marker));
  const content = reader.locator(".message-content", { hasText: marker });
  // The text around the links is the text as sent, tags and all.
  await expect(content).toHaveText(`${marker} ${MESSAGE}`);
  await expect(content.locator("b")).toHaveCount(0);
  // Server-rendered, then hydrated: the same links, and no hydration warning
  // (the console guard fails the test on one).
  await reader.reload();
  await waitForHydration(reader);
  expectTheLinks(await linksIn(reader, marker));
  expectTheLinks(await linksIn(sender, marker));
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("the server renders the same links", async ({ page, consoleGuard }) => {
    consoleGuard.allow(/\.wasm was preloaded using link preload but not used/);
    const marker = uniqueName("nojs-links");
    const author = uniqueName("nojslinker");
    await signUp(page.context().request, author);
    await seedMessages(author, [`${marker} ${MESSAGE}`]);
    await page.goto("/chat");
    expectTheLinks(await linksIn(page, marker));
  });
});
