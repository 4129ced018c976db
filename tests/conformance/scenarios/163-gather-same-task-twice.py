"""163 gather given the same task twice: it waits for it once and reports
its result in both places; cancelling that gather asks the task once per
place it holds.

(asyncio.gather keeps one child per distinct awaitable and a result per
argument; _GatheringFuture.cancel() cancels each argument's child in turn;
test_tasks.py CoroutineGatherTests.test_duplicate_coroutines.)
"""
import asyncio
from harness import run, trace


async def work(v, delay):
    await asyncio.sleep(delay)
    return v


async def main():
    t = asyncio.create_task(work(4, 1))
    results = await asyncio.gather(t, t)
    trace(f'main: results=[{results[0]}, {results[1]}]')

    u = asyncio.create_task(work(5, 5))
    g = asyncio.gather(u, u)
    await asyncio.sleep(1)
    g.cancel()
    trace(f'main: after gather.cancel(), cancelling={u.cancelling()}')
    try:
        await g
    except asyncio.CancelledError:
        trace(f'main: gather cancelled={int(g.cancelled())} task cancelled={int(u.cancelled())}')

run(main())
