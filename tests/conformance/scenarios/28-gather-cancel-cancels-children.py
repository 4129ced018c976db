"""28 cancelling the task that awaits a gather cancels every child.

Cancelling gather's future (here through the task awaiting it) cancels all
the awaitables it gathers; the awaiter then ends cancelled (asyncio docs,
asyncio.gather: "If gather() is cancelled, all submitted awaitables are
cancelled").
"""
import asyncio
from harness import run, trace


async def sleeper(name):
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError:
        trace(f'{name}: cancelled')
        raise


async def waiter():
    await asyncio.gather(sleeper('A'), sleeper('B'))


async def main():
    w = asyncio.create_task(waiter())
    await asyncio.sleep(1)
    w.cancel()
    try:
        await w
    except asyncio.CancelledError:
        trace('main: waiter cancelled')

run(main())
