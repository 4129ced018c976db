"""W1-W4 for CPython asyncio (and uvloop with --uvloop); W1g is W1 in
asyncio's own shape (create the tasks, then one gather), printed with W1.

Prints one line per workload: RESULT <workload> <system> <value> <unit>.
Sizes follow bench/run.py (the README's "Benchmarks"); --scale divides them (smoke runs use large
scales). W1, W3, W4 warm up at a tenth of the size first.
"""
import argparse
import asyncio
import resource
import sys
import time


async def w1(n):
    async def trivial():
        return 1

    tasks = [asyncio.ensure_future(trivial()) for _ in range(n)]
    total = 0
    for t in tasks:
        total += await t
    assert total == n


async def w1g(n):
    """W1 as the asyncio guides write it: create the tasks, one gather."""
    async def trivial():
        return 1

    tasks = [asyncio.ensure_future(trivial()) for _ in range(n)]
    assert sum(await asyncio.gather(*tasks)) == n


async def w2(n):
    async def sleeper():
        await asyncio.sleep(0.1)

    await asyncio.gather(*(sleeper() for _ in range(n)))


async def w3(n):
    q1, q2 = asyncio.Queue(1), asyncio.Queue(1)

    async def ponger():
        for _ in range(n):
            await q2.put(await q1.get())

    p = asyncio.ensure_future(ponger())
    for i in range(n):
        await q1.put(i)
        assert await q2.get() == i
    await p


async def w4(tasks, rounds):
    lock = asyncio.Lock()
    counter = 0

    async def worker():
        nonlocal counter
        for _ in range(rounds):
            async with lock:
                counter += 1
                await asyncio.sleep(0)

    await asyncio.gather(*(worker() for _ in range(tasks)))
    assert counter == tasks * rounds


def timed(run, coro_fn, *args):
    t0 = time.perf_counter()
    run(coro_fn(*args))
    return time.perf_counter() - t0


def rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--uvloop", action="store_true")
    ap.add_argument("--scale", type=int, default=1)
    ap.add_argument("workloads", nargs="*", default=["W1", "W2", "W3", "W4"])
    a = ap.parse_args()
    system = "uvloop" if a.uvloop else "asyncio"
    if a.uvloop:
        import uvloop

        run = uvloop.run if hasattr(uvloop, "run") else None
        if run is None:
            uvloop.install()
            run = asyncio.run
    else:
        run = asyncio.run
    s = a.scale
    if "W1" in a.workloads:
        n = 200_000 // s
        timed(run, w1, max(1, n // 10))
        print(f"RESULT W1 {system} {timed(run, w1, n) * 1e9 / n:.1f} ns/task")
        timed(run, w1g, max(1, n // 10))
        print(f"RESULT W1g {system} {timed(run, w1g, n) * 1e9 / n:.1f} ns/task")
    if "W2" in a.workloads:
        n = 100_000 // s
        before = rss_bytes()
        dt = timed(run, w2, n)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        print(f"RESULT W2 {system} {max(0, peak - before) / n:.0f} B/task")
        print(f"RESULT W2ms {system} {dt * 1e3:.0f} ms")
    if "W3" in a.workloads:
        n = 200_000 // s
        timed(run, w3, max(1, n // 10))
        print(f"RESULT W3 {system} {timed(run, w3, n) * 1e9 / n:.1f} ns/trip")
    if "W4" in a.workloads:
        tasks, rounds = 100, 2000 // s
        timed(run, w4, tasks, max(1, rounds // 10))
        print(f"RESULT W4 {system} {timed(run, w4, tasks, rounds) * 1e9 / (tasks * rounds):.1f} ns/acquire")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
