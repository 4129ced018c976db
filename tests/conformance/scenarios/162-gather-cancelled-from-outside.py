"""162 Cancelling a gather cancels its children still running; once they are
done the gather raises CancelledError, even with return_exceptions=True,
yet is not itself in the cancelled state, and cancel() then returns false.

(asyncio docs, gather: "If gather() is cancelled, all submitted awaitables
(that have not completed yet) are also cancelled"; the gather's outcome is
set as a CancelledError exception; CPython bpo-32684; test_tasks.py
test_cancellation_broadcast, test_cancel_gather_2.)
"""
import asyncio
from harness import run, trace, code


async def work(name, delay):
    try:
        await asyncio.sleep(delay)
    except asyncio.CancelledError:
        trace(f'{name}: cancelled')
        raise
    trace(f'{name}: finished')


async def main():
    a = asyncio.create_task(work('A', 1))
    b = asyncio.create_task(work('B', 5))
    g = asyncio.gather(a, b, return_exceptions=True)
    await asyncio.sleep(2)
    trace(f'main: cancel -> {int(g.cancel())}')
    try:
        await g
    except asyncio.CancelledError as e:
        trace(f'main: gather raised {code(e)}')
    trace(f'main: gather cancelled={int(g.cancelled())} B cancelled={int(b.cancelled())}')
    trace(f'main: cancel again -> {int(g.cancel())}')

run(main())
