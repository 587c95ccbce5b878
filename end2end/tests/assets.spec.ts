import { expect, test, waitForHydration } from "./console";

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
  await page.goto("/login");
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
