"""20 an error that nobody retrieves reaches the loop's exception handler.

A task that fails while nobody holds it or awaits it is reported through
the loop's exception handler ("Task exception was never retrieved") once it
is dropped (asyncio docs, "Detect never-retrieved exceptions" and
loop.set_exception_handler). The handler prints the error's code.
"""
import asyncio
import errno
import os
from harness import run, trace, code


async def failing():
    await asyncio.sleep(1)
    raise ConnectionResetError(errno.ECONNRESET, os.strerror(errno.ECONNRESET))


def handler(loop, context):
    trace(f'handler: {code(context["exception"])}')


async def main():
    asyncio.get_running_loop().set_exception_handler(handler)
    asyncio.create_task(failing())  # the task is not kept
    await asyncio.sleep(2)
    trace('main: done')

run(main())
