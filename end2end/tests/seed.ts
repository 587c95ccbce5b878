// Test data: accounts through the real API, messages straight into the
// server's SQLite file (posting arrives with the messaging feature). The server
// has migrated the schema before global-setup lets any test run.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import type { APIRequestContext } from "@playwright/test";

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

/** Stores `contents` as messages by the existing user `username`, in order. */
export function seedMessages(username: string, contents: string[], db?: string) {
  const dbPath = db ?? process.env.CHAT98_E2E_DB;
  if (!dbPath) throw new Error("CHAT98_E2E_DB is not set (run through `make test`)");
  const script = `
import json, sqlite3, sys
from datetime import datetime, timezone
db, username, contents = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
con = sqlite3.connect(db, timeout=10)
with con:
    (uid,) = con.execute("SELECT id FROM users WHERE lower(username) = lower(?)", (username,)).fetchone()
    for c in contents:
        con.execute("INSERT INTO messages (user_id, content, timestamp) VALUES (?, ?, ?)",
                    (uid, c, datetime.now(timezone.utc).isoformat()))
`;
  execFileSync("python3", ["-c", script, dbPath, username, JSON.stringify(contents)], {
    stdio: ["ignore", "inherit", "inherit"],
  });
}
