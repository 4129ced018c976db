"""02 timers fire by deadline; timers with the same deadline fire in the
order they were scheduled.

loop.call_later keeps its timers ordered by deadline and, among equal
deadlines, by scheduling order (asyncio docs, "Scheduling delayed
callbacks"). Each callback prints its name with the loop time.
"""
import asyncio
from harness import run, trace


def fired(name):
    trace(name)


async def main():
    loop = asyncio.get_running_loop()
    loop.call_later(0.2, fired, 'late')
    loop.call_later(0.1, fired, 'first')
    loop.call_later(0.1, fired, 'second')
    await asyncio.sleep(1)
    trace('main: done')

run(main())
