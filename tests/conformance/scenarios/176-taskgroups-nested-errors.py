"""176 Nested task groups: a child's error in the inner group, the outer
group, or both surfaces as an ExceptionGroup from the outer group (the
inner group's ExceptionGroup nested inside it); siblings are cancelled and
the parent task's cancelling() count is back to 0.

Each group cancels its parent task when its first child fails and takes
that request back when it exits; the inner group's error is the outer
body's error (asyncio docs, TaskGroup; test_taskgroups.py
test_nested_groups_both_cancelled, test_cancelling_level_preserved).
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
            outer.create_task(fail('outer child') if outer_fails else idle('outer child'))
            async with asyncio.TaskGroup() as inner:
                inner.create_task(fail('inner child') if inner_fails else idle('inner child'))
                await asyncio.sleep(5)
    except BaseException as e:
        trace(f'{label}: {tree(e)}')
    trace(f'{label}: cancelling={me.cancelling()}')


async def main():
    await asyncio.create_task(nested('inner error', True, False))
    await asyncio.create_task(nested('outer error', False, True))
    await asyncio.create_task(nested('both errors', True, True))

run(main())
