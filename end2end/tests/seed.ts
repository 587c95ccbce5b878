// Test data: accounts and messages through the real API.
import { randomBytes } from "node:crypto";
import { request, type APIRequestContext } from "@playwright/test";

export const PASSWORD = "correct horse battery";

/** A name no other test (or earlier run) uses. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${randomBytes(4).toString("hex")}`;
}

/** Registers `username`; the request context (a page's) keeps the session cookie. */
export async function signUp(request: APIRequestContext, username: string) {
  const res = await request.post("/api/auth/register", {
    form: { username, password: PASSWORD },
  });
  if (res.status() !== 200) throw new Error(`sign-up failed: ${res.status()} ${await res.text()}`);
  return (await res.json()) as { id: number; username: string };
}

/**
 * Posts `contents` as messages by the existing user `username` (signed in
 * with PASSWORD), in order, through the real API of the server at `baseURL`
 * (the suite's own by default). A running server only shows what it stored
 * or heard of, so history is never written into its database behind its back.
 */
export async function seedMessages(username: string, contents: string[], baseURL?: string) {
  const api = await request.newContext({ baseURL: baseURL ?? process.env.CHAT98_BASE_URL });
  try {
    const login = await api.post("/api/auth/login", { form: { username, password: PASSWORD } });
    if (login.status() !== 200) throw new Error(`sign-in failed: ${login.status()} ${await login.text()}`);
    for (const content of contents) {
      const res = await api.post("/api/chat/messages/", { data: { content } });
      if (res.status() !== 201) throw new Error(`posting failed: ${res.status()} ${await res.text()}`);
    }
  } finally {
    await api.dispose();
  }
}
