"""173 A child failing while the group's body awaits: the body's await is
cancelled, the other children are cancelled, the group raises an
ExceptionGroup of the error, and the parent task's cancelling() count is
back to 0, so its next await runs normally.

(asyncio docs, TaskGroup; test_taskgroups.py
test_cancel_children_on_child_error, test_cancelling_level_preserved.)
"""
import asyncio
from harness import run, trace, describe


async def fail():
    await asyncio.sleep(1)
    raise ValueError('child failed')


async def idle():
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError:
        trace('idle: cancelled')
        raise


async def main():
    me = asyncio.current_task()
    try:
        async with asyncio.TaskGroup() as tg:
            tg.create_task(idle())
            tg.create_task(fail())
            try:
                await asyncio.sleep(5)
            except asyncio.CancelledError:
                trace(f'body: cancelled, cancelling={me.cancelling()}')
                raise
    except ExceptionGroup as e:
        trace(f'main: {describe(e)} [' + ', '.join(describe(x) for x in e.exceptions) + ']')
    trace(f'main: cancelling={me.cancelling()}')
    await asyncio.sleep(1)
    trace('main: next await ran')

run(main())
