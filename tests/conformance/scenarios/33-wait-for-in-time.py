"""33 wait_for returns the result when it arrives before the timeout.

asyncio.wait_for passes the awaitable's result through when it completes in
time (asyncio docs, asyncio.wait_for).
"""
import asyncio
from harness import run, trace


async def worker(name, delay, value):
    await asyncio.sleep(delay)
    trace(f'{name}: done')
    return value


async def main():
    r = await asyncio.wait_for(worker('A', 1, 5), 2)
    trace(f'main: got {r}')

run(main())
