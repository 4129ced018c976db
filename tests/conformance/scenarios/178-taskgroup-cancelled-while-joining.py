"""178 A task cancelled from outside while its group waits for the children
at the end of the block: the children are cancelled, the group waits for
them, then the cancellation propagates (CancelledError, cancelling() 1).

(asyncio docs, TaskGroup; test_taskgroups.py test_taskgroup_22,
test_cancellation.)
"""
import asyncio
from harness import run, trace, code


async def child(name, delay):
    try:
        await asyncio.sleep(delay)
    except asyncio.CancelledError:
        trace(f'{name}: cancelled, cleaning up')
        await asyncio.sleep(0.5)
        trace(f'{name}: cleaned up')
        raise
    trace(f'{name}: finished')


async def parent():
    me = asyncio.current_task()
    try:
        async with asyncio.TaskGroup() as tg:
            tg.create_task(child('A', 1))
            tg.create_task(child('B', 5))
    except asyncio.CancelledError as e:
        trace(f'parent: {code(e)} cancelling={me.cancelling()}')
        raise


async def main():
    t = asyncio.create_task(parent())
    await asyncio.sleep(2)
    t.cancel()
    try:
        await t
    except asyncio.CancelledError:
        trace(f'main: parent cancelled={int(t.cancelled())}')

run(main())
