"""25 gather returns the results in the order of its arguments.

asyncio.gather runs its awaitables concurrently and returns their results
in argument order, whatever order they finish in (asyncio docs,
asyncio.gather).
"""
import asyncio
from harness import run, trace


async def worker(name, delay, value):
    await asyncio.sleep(delay)
    trace(f'{name}: done')
    return value


async def main():
    r = await asyncio.gather(worker('A', 3, 30), worker('B', 1, 10), worker('C', 2, 20))
    trace(f'main: results=[{", ".join(str(x) for x in r)}]')

run(main())
