#!/usr/bin/env python3
"""spawn_asyncio.py — P1 for asyncio: create_subprocess_exec('/bin/true')
and wait(), one child after another, with the parent's descriptors (the
default). Prints RESULT P1 <system> <us> us/child.

    spawn_asyncio.py N [--uvloop]
"""
import asyncio
import sys
import time


async def main(n):
    for _ in range(n):
        p = await asyncio.create_subprocess_exec("/bin/true")
        if await p.wait() != 0:
            raise SystemExit("spawn: /bin/true failed")


def run(n, uvloop):
    if uvloop:
        import uvloop as u
        u.install()
    t0 = time.perf_counter()
    asyncio.run(main(n))
    return time.perf_counter() - t0


if __name__ == "__main__":
    n = int(sys.argv[1])
    uv = "--uvloop" in sys.argv
    system = "uvloop" if uv else "asyncio"
    dt = run(n, uv)
    print(f"HOW P1 {system} create_subprocess_exec + wait of /bin/true, one at a time")
    print(f"RESULT P1 {system} {dt * 1e6 / n:.1f} us/child")
