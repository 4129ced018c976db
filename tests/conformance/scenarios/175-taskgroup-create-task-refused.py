"""175 create_task on a group that is shutting down (a child failed) or
finished (its block has exited) is refused with RuntimeError.

(asyncio docs, TaskGroup.create_task; test_taskgroups.py
test_taskgroup_no_create_task_after_failure, test_taskgroup_finished.)
"""
import asyncio
from harness import run, trace, describe, cls, msg


def why(e):
    # The message names the group by its repr, "TaskGroup <...> is finished":
    # only the class and the reason after the repr are portable.
    return f'{cls(e)} ({msg(e).rpartition("> ")[2]})'


async def fail():
    await asyncio.sleep(1)
    raise ValueError('child failed')


async def noop():
    pass


async def late(tg):
    try:
        await asyncio.sleep(5)
    except asyncio.CancelledError:
        coro = noop()
        try:
            tg.create_task(coro)
            trace('late: created a task')
        except RuntimeError as e:
            coro.close()
            trace(f'late: refused: {why(e)}')
        raise


async def main():
    try:
        async with asyncio.TaskGroup() as tg:
            tg.create_task(fail())
            tg.create_task(late(tg))
    except ExceptionGroup as e:
        trace(f'main: {describe(e)}')

    async with asyncio.TaskGroup() as done:
        done.create_task(noop())
    coro = noop()
    try:
        done.create_task(coro)
        trace('main: created a task')
    except RuntimeError as e:
        coro.close()
        trace(f'main: refused: {why(e)}')

run(main())
