#!/usr/bin/env python3
"""For the sweep benchmark, on a migrated chat98 SQLite file:
  seed_expired.py DB N     adds N messages stored ten days ago (long expired)
  seed_expired.py DB left  prints how many of them are still there"""
import sqlite3
import sys
from datetime import datetime, timedelta, timezone

AUTHOR = "expired_author"

db, what = sys.argv[1], sys.argv[2]
con = sqlite3.connect(db)
if what == "left":
    (left,) = con.execute(
        "SELECT COUNT(*) FROM messages JOIN users ON users.id = messages.user_id"
        " WHERE users.username = ?",
        (AUTHOR,),
    ).fetchone()
    print(f"expired messages not yet swept when the server stopped: {left}")
    sys.exit(0)

count = int(what)
old = (datetime.now(timezone.utc) - timedelta(days=10)).isoformat(timespec="microseconds")
con.execute(
    "INSERT INTO users (username, password_hash, created_at) VALUES (?, ?, ?)",
    (AUTHOR, "not-a-hash", old),
)
author = con.execute("SELECT id FROM users WHERE username = ?", (AUTHOR,)).fetchone()[0]
con.executemany(
    "INSERT INTO messages (user_id, content, timestamp) VALUES (?, ?, ?)",
    ((author, f"expired message {i}", old) for i in range(count)),
)
con.commit()
print(f"seeded {count} expired messages", file=sys.stderr)
