"""36 shield: cancelling the awaiter leaves the shielded work running.

Cancelling a task that awaits shield(w) cancels only the shield's outer
future; w goes on and can still be awaited for its result (asyncio docs,
asyncio.shield).
"""
import asyncio
from harness import run, trace


async def work():
    await asyncio.sleep(3)
    trace('work: done')
    return 9


async def waiter(w):
    await asyncio.shield(w)


async def main():
    w = asyncio.create_task(work())
    s = asyncio.create_task(waiter(w))
    await asyncio.sleep(1)
    s.cancel()
    try:
        await s
    except asyncio.CancelledError:
        trace('main: shielded waiter cancelled')
    r = await w
    trace(f'main: work returned {r}')

run(main())
