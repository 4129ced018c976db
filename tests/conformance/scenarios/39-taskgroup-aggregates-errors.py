"""39 the errors of tasks that fail together are all kept, in order.

A TaskGroup collects every error of its tasks, in the order they finished,
into the ExceptionGroup it raises (asyncio docs, "Task Groups").
"""
import asyncio
import errno
import os
from harness import run, trace, code


async def failing(delay, err=errno.ECONNRESET):
    await asyncio.sleep(delay)
    raise OSError(err, os.strerror(err))


async def main():
    try:
        async with asyncio.TaskGroup() as tg:
            tg.create_task(failing(1, errno.ECONNRESET))
            tg.create_task(failing(1, errno.EPIPE))
    except BaseExceptionGroup as e:
        trace(f'main: {len(e.exceptions)} errors: {", ".join(code(x) for x in e.exceptions)}')

run(main())
