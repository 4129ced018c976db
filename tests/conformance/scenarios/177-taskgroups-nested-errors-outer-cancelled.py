"""177 Nested task groups in a task that is also cancelled from outside, just
after a child failed: the error still surfaces as an ExceptionGroup (errors
win over the cancellation), and the outside cancellation is not lost: the
task's cancelling() count stays 1 and its next await is cancelled.

A group that must raise an ExceptionGroup while its parent task is being
cancelled from outside re-requests that cancellation (uncancel + cancel),
so it reaches the next await (CPython gh-116720; asyncio docs, TaskGroup;
test_taskgroups.py test_error_and_cancel).
"""
import asyncio
from harness import run, trace, describe


def tree(e):
    if isinstance(e, BaseExceptionGroup):
        return f'{describe(e)} [' + ', '.join(tree(x) for x in e.exceptions) + ']'
    return describe(e)


async def fail(name):
    await asyncio.sleep(1)
    raise ValueError(name)


async def idle(name):
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError:
        trace(f'{name}: cancelled')
        raise


async def nested(label, inner_fails, outer_fails):
    me = asyncio.current_task()
    try:
        async with asyncio.TaskGroup() as outer:
            o = outer.create_task(fail('outer child') if outer_fails else idle('outer child'))
            async with asyncio.TaskGroup() as inner:
                i = inner.create_task(fail('inner child') if inner_fails else idle('inner child'))
                # The outside cancel comes right after the last child failed.
                (i if inner_fails else o).add_done_callback(lambda _: me.cancel())
                await asyncio.sleep(5)
    except BaseException as e:
        trace(f'{label}: {tree(e)}')
    trace(f'{label}: cancelling={me.cancelling()}')
    try:
        await asyncio.sleep(0)
        trace(f'{label}: next await ran')
    except asyncio.CancelledError:
        trace(f'{label}: next await cancelled')


async def main():
    await asyncio.create_task(nested('inner error', True, False))
    await asyncio.create_task(nested('outer error', False, True))
    await asyncio.create_task(nested('both errors', True, True))

run(main())
