"""41 cancelling the task that waits on a TaskGroup cancels the group's
tasks.

A task cancelled while it waits in a TaskGroup's exit cancels every task of
the group, waits for them, and ends cancelled itself (asyncio docs,
"Task Groups").
"""
import asyncio
from harness import run, trace


async def sleeper(name):
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError:
        trace(f'{name}: cancelled')
        raise


async def parent():
    async with asyncio.TaskGroup() as tg:
        tg.create_task(sleeper('A'))
        tg.create_task(sleeper('B'))


async def main():
    p = asyncio.create_task(parent())
    await asyncio.sleep(1)
    p.cancel()
    try:
        await p
    except asyncio.CancelledError:
        trace('main: parent cancelled')

run(main())
