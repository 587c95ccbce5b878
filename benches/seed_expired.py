#!/usr/bin/env python3
"""Adds N messages stored ten days ago (long expired) to a migrated chat98
SQLite file, for the sweep benchmark: seed_expired.py DB N"""
import sqlite3
import sys
from datetime import datetime, timedelta, timezone

db, count = sys.argv[1], int(sys.argv[2])
old = (datetime.now(timezone.utc) - timedelta(days=10)).isoformat(timespec="microseconds")
con = sqlite3.connect(db)
con.execute(
    "INSERT INTO users (username, password_hash, created_at) VALUES (?, ?, ?)",
    ("expired_author", "not-a-hash", old),
)
author = con.execute("SELECT id FROM users WHERE username = 'expired_author'").fetchone()[0]
con.executemany(
    "INSERT INTO messages (user_id, content, timestamp) VALUES (?, ?, ?)",
    ((author, f"expired message {i}", old) for i in range(count)),
)
con.commit()
print(f"seeded {count} expired messages", file=sys.stderr)
