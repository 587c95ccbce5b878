import { expect, test, waitForHydration } from "./console";
import { signUp, uniqueName } from "./seed";

// The release bundle is built with hash-files and precompress: its file names
// carry content hashes, so the server lets browsers keep them for a year, and
// it serves cargo-leptos's brotli copies as they are.
test("the bundle is content-hashed, long-cached and served compressed", async ({ page }) => {
  const assets = new Map<string, { cache: string; encoding: string; status: number }>();
  page.on("response", async (res) => {
    const url = new URL(res.url());
    if (url.pathname.startsWith("/pkg/")) {
      const headers = await res.allHeaders();
      assets.set(url.pathname, {
        cache: headers["cache-control"] ?? "",
        encoding: headers["content-encoding"] ?? "",
        status: res.status(),
      });
    }
  });
  await signUp(page.context().request, uniqueName("assets"));
  await page.goto("/chat");
  await waitForHydration(page);

  const hashed = /^\/pkg\/chat98\.[A-Za-z0-9_-]{22}\.(js|wasm|css)$/;
  const kinds = new Set<string>();
  for (const [path, answer] of assets) {
    expect(path, "a hashed name").toMatch(hashed);
    kinds.add(path.split(".").pop() as string);
    expect(answer.status).toBe(200);
    expect(answer.cache).toBe("public, max-age=31536000, immutable");
    expect(answer.encoding).toBe("br");
  }
  expect([...kinds].sort()).toEqual(["css", "js", "wasm"]);
});

// The pixel font is self-hosted: preloaded by the page, served as
// font/woff2 under content-hashed names that browsers keep for a year.
test("the pixel font is preloaded, typed font/woff2 and long-cached", async ({ page }) => {
  await page.goto("/login");
  const preloads = await page
    .locator('link[rel="preload"][as="font"]')
    .evaluateAll((links) => links.map((l) => [l.getAttribute("href"), l.getAttribute("type"), l.hasAttribute("crossorigin")]));
  expect(preloads.map(([href]) => href)).toEqual([
    expect.stringMatching(/^\/fonts\/ms_sans_serif\.[0-9a-f]{16}\.woff2$/),
    expect.stringMatching(/^\/fonts\/ms_sans_serif_bold\.[0-9a-f]{16}\.woff2$/),
  ]);
  for (const [href, type, crossorigin] of preloads) {
    expect([type, crossorigin]).toEqual(["font/woff2", true]);
    const res = await page.request.get(href as string);
    expect(res.status()).toBe(200);
    expect(res.headers()["content-type"]).toBe("font/woff2");
    expect(res.headers()["cache-control"]).toBe("public, max-age=31536000, immutable");
    // wOF2: a real WOFF2 file, not an HTML page.
    expect((await res.body()).subarray(0, 4).toString("latin1")).toBe("wOF2");
  }
  // The licences travel with the fonts: 98.css's, and the fonts' own.
  const licence = await page.request.get("/fonts/LICENSE-98.css.txt");
  expect(licence.status()).toBe(200);
  expect(await licence.text()).toContain("MIT License");
  const fonts = await page.request.get("/fonts/LICENSE-fonts.txt");
  expect(await fonts.text()).toContain("Creative Commons Attribution Share Alike");
});
