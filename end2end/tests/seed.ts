// Seeds users and messages straight into the server's SQLite file, as the
// foundation issue asks (sign-up arrives later). The server has migrated the
// schema before global-setup lets any test run; WAL lets both write safely.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";

const dbPath = process.env.CHAT98_E2E_DB;

export type Seeded = { username: string; contents: string[] };

/** A name no other test (or earlier run) uses. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${randomBytes(4).toString("hex")}`;
}

/** Creates `username` and stores `contents` as their messages, in order. */
export function seedMessages(username: string, contents: string[]): Seeded {
  if (!dbPath) throw new Error("CHAT98_E2E_DB is not set (run through `make test`)");
  const script = `
import json, sqlite3, sys
from datetime import datetime, timezone
db, username, contents = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
con = sqlite3.connect(db, timeout=10)
now = datetime.now(timezone.utc).isoformat()
with con:
    cur = con.execute("INSERT INTO users (username, password_hash, created_at) VALUES (?, '!', ?)", (username, now))
    uid = cur.lastrowid
    for c in contents:
        con.execute("INSERT INTO messages (user_id, content, timestamp) VALUES (?, ?, ?)",
                    (uid, c, datetime.now(timezone.utc).isoformat()))
`;
  execFileSync("python3", ["-c", script, dbPath, username, JSON.stringify(contents)], {
    stdio: ["ignore", "inherit", "inherit"],
  });
  return { username, contents };
}
