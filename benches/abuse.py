#!/usr/bin/env python3
"""What an anonymous client can make a chat98 server hold, measured against a
binary of your choice (the figures in BENCHMARKS.md, "Session 7").

  benches/abuse.py hashes    BIN   200 sign-ins at once: peak RSS and threads,
                                   /healthz latency meanwhile, answers by status
  benches/abuse.py hashes-unthrottled BIN
                                   the same with every sign-in throttle lifted
                                   (this session's flags), so that only the
                                   ceiling on hashes at once holds
  benches/abuse.py half-open BIN   1,000 connections that never finish their
                                   headers: how many are still open 15 s later,
                                   and whether /healthz answers

Each run starts BIN on a fresh SQLite database in a temporary folder, on
127.0.0.1, and stops it afterwards. Loopback only.
"""
import asyncio
import os
import re
import subprocess
import sys
import tempfile
import time


def start(binary, extra=()):
    data = tempfile.mkdtemp(prefix="chat98-abuse-")
    config = os.path.join(data, "none.toml")
    with open(config, "w") as f:
        f.write('[package.metadata.leptos]\noutput-name = "chat98"\n')
    env = dict(os.environ, RUST_LOG="warn,chat98::server::serve=info", CHAT98_CONFIG=config)
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    proc = subprocess.Popen(
        [binary, "serve", "--site-addr", "127.0.0.1:0", "--data-dir", data, *extra],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, text=True,
    )
    for line in proc.stdout:
        found = re.search(r"listening on http://([0-9.:]+)", line)
        if found:
            host, port = found.group(1).rsplit(":", 1)
            return proc, (host, int(port))
    raise SystemExit("the server did not start")


def status(pid):
    fields = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            fields[key] = value.strip()
    return int(fields["VmRSS"].split()[0]) * 1024, int(fields["Threads"])


async def request(addr, head, body=b"", timeout=30):
    reader, writer = await asyncio.wait_for(asyncio.open_connection(*addr), timeout)
    writer.write(head.encode() + body)
    await writer.drain()
    data = await asyncio.wait_for(reader.read(), timeout)
    writer.close()
    return int(data.split(b" ", 2)[1]) if data.startswith(b"HTTP/1.1 ") else None


async def sign_in(addr, i):
    body = f"username=nobody{i}&password=guess-{i}".encode()
    head = (
        f"POST /api/auth/login HTTP/1.1\r\nhost: {addr[0]}:{addr[1]}\r\n"
        "content-type: application/x-www-form-urlencoded\r\nconnection: close\r\n"
        f"content-length: {len(body)}\r\n\r\n"
    )
    try:
        return await request(addr, head, body)
    except Exception:
        return None


async def healthz(addr):
    head = f"GET /healthz HTTP/1.1\r\nhost: {addr[0]}:{addr[1]}\r\nconnection: close\r\n\r\n"
    started = time.monotonic()
    try:
        answered = await request(addr, head, timeout=10)
    except Exception:
        answered = None
    return answered, time.monotonic() - started


UNTHROTTLED = [
    "--login-max-failures-per-address", "1000000",
    "--login-max-failures-per-username", "1000000",
]


async def hashes(binary, unthrottled=False):
    extra = ["--login-max-failures", "1000000"] + (UNTHROTTLED if unthrottled else [])
    proc, addr = start(binary, extra)
    try:
        peak = [0, 0]

        async def sample():
            while True:
                rss, threads = status(proc.pid)
                peak[0], peak[1] = max(peak[0], rss), max(peak[1], threads)
                await asyncio.sleep(0.01)

        sampler = asyncio.create_task(sample())
        attempts = asyncio.gather(*(sign_in(addr, i) for i in range(200)))
        await asyncio.sleep(0.2)
        health = await healthz(addr)
        answers = await attempts
        sampler.cancel()
        counts = {}
        for a in answers:
            counts[a] = counts.get(a, 0) + 1
        print(f"hashes: 200 sign-ins at once: peak RSS {peak[0] / 2**20:.0f} MiB, "
              f"peak threads {peak[1]}, /healthz meanwhile {health[0]} in {health[1] * 1000:.0f} ms, "
              f"answers {dict(sorted(counts.items(), key=str))}")
    finally:
        proc.kill()


async def half_open(binary):
    proc, addr = start(binary)
    try:
        held = []
        for _ in range(1000):
            reader, writer = await asyncio.open_connection(*addr)
            writer.write(f"GET /healthz HTTP/1.1\r\nhost: {addr[0]}\r\n".encode())
            await writer.drain()
            held.append((reader, writer))
        await asyncio.sleep(15)
        still_open = 0
        for reader, _ in held:
            try:
                data = await asyncio.wait_for(reader.read(1), 0.05)
                if data:
                    still_open += 1
            except asyncio.TimeoutError:
                still_open += 1
            except Exception:
                pass
        health = await healthz(addr)
        print(f"half-open: 1000 half-sent requests, still open after 15 s: {still_open}; "
              f"/healthz {health[0]} in {health[1] * 1000:.0f} ms")
        for _, writer in held:
            writer.close()
    finally:
        proc.kill()


if __name__ == "__main__":
    scenarios = {
        "hashes": hashes,
        "hashes-unthrottled": lambda binary: hashes(binary, unthrottled=True),
        "half-open": half_open,
    }
    if len(sys.argv) != 3 or sys.argv[1] not in scenarios:
        raise SystemExit(__doc__)
    asyncio.run(scenarios[sys.argv[1]](sys.argv[2]))
