"""42 to_thread runs a blocking function on a worker thread and gives back
its result.

asyncio.to_thread runs the function in the loop's default executor and the
awaiting task receives its return value (asyncio docs, asyncio.to_thread).
"""
import asyncio
from harness import run, say


def blocking():
    return 42


async def main():
    r = await asyncio.to_thread(blocking)
    say(f'main: got {r}')

run(main())
