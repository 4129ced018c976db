"""48 a Semaphore(2) lets two tasks in at a time, in arrival order.

Semaphore.acquire does not suspend while the counter is above zero; the
others wait and are admitted in FIFO order as holders release (asyncio
docs, asyncio.Semaphore).
"""
import asyncio
from harness import run, trace

inside = 0
max_inside = 0


async def worker(sem, i):
    global inside, max_inside
    async with sem:
        inside += 1
        max_inside = max(max_inside, inside)
        trace(f'W{i} in (inside={inside})')
        await asyncio.sleep(1)
        inside -= 1
        trace(f'W{i} out')


async def main():
    sem = asyncio.Semaphore(2)
    await asyncio.gather(*(worker(sem, i) for i in range(4)))
    trace(f'main: max inside={max_inside}')

run(main())
