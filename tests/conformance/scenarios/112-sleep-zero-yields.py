"""112 sleep(0) yields once; a negative delay acts as 0

asyncio.sleep(0) suspends the task for exactly one loop iteration, so the
callbacks that were ready run first; a negative delay is no error and
behaves as sleep(0), and the clock does not move (asyncio docs,
asyncio.sleep: "Setting the delay to 0 provides an optimized path to allow
other tasks to run"; test_tasks.py test_sleep)."""
import asyncio
from harness import run, trace


async def main():
    loop = asyncio.get_running_loop()
    loop.call_soon(trace, 'cb X')
    await asyncio.sleep(0)
    trace('main: after sleep(0)')
    loop.call_soon(trace, 'cb Y')
    await asyncio.sleep(-1)
    trace('main: after sleep(-1)')
    await asyncio.sleep(0.5)
    trace('main: after sleep(0.5)')

run(main())
