"""161 gather(return_exceptions=True): a child cancelled on its own takes its
slot as a CancelledError; the gather still completes normally.

(asyncio docs, gather; test_tasks.py
GatherTestsBase.test_result_exception_one_cancellation.)
"""
import asyncio
from harness import run, trace, cls


async def work(v, delay):
    await asyncio.sleep(delay)
    return v


async def main():
    a = asyncio.create_task(work(1, 1))
    b = asyncio.create_task(work(2, 5))
    c = asyncio.create_task(work(3, 2))
    g = asyncio.gather(a, b, c, return_exceptions=True)
    await asyncio.sleep(0.5)
    b.cancel()
    results = await g
    trace('main: results=[' + ', '.join(str(r) if isinstance(r, int) else cls(r)
                                        for r in results) + ']')
    trace(f'main: gather cancelled={int(g.cancelled())}')

run(main())
