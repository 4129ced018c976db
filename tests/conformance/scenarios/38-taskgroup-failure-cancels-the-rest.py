"""38 a failing task cancels its siblings and the group's body; the group
raises an ExceptionGroup.

When a task of a TaskGroup fails, the group cancels the remaining tasks and
the task running the body, waits for them, and raises ExceptionGroup with
the errors (asyncio docs, "Task Groups"; test_taskgroups.py).
"""
import asyncio
import errno
import os
from harness import run, trace, code, msg


async def failing(delay, err=errno.ECONNRESET):
    await asyncio.sleep(delay)
    raise OSError(err, os.strerror(err))


async def sleeper(name):
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError:
        trace(f'{name}: cancelled')
        raise


async def main():
    try:
        async with asyncio.TaskGroup() as tg:
            tg.create_task(sleeper('B'))
            tg.create_task(failing(1))
            try:
                await asyncio.sleep(100)
            except asyncio.CancelledError:
                trace('body: cancelled')
                raise
    except BaseExceptionGroup as e:
        trace(f'main: {msg(e)}: {", ".join(code(x) for x in e.exceptions)}')

run(main())
