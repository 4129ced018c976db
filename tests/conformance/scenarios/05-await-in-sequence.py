"""05 coroutines awaited one after the other run in sequence: their times add.

Awaiting a coroutine runs it to its end before the next line; no task is
made (asyncio docs, "Coroutines"). Same worker as scenario 04.
"""
import asyncio
from harness import run, trace


async def worker(name, delay):
    await asyncio.sleep(delay)
    trace(f'{name}: woke')


async def main():
    await worker('A', 2)
    await worker('B', 1)
    trace('main: done')

run(main())
