"""43 an error raised by a to_thread function reaches the awaiting task.

The exception raised on the worker thread is set on the future that
to_thread's awaiter waits for, and raised there (asyncio docs,
asyncio.to_thread).
"""
import asyncio
import errno
import os
from harness import run, say, code


def blocking():
    raise OSError(errno.EPIPE, os.strerror(errno.EPIPE))


async def main():
    try:
        await asyncio.to_thread(blocking)
    except OSError as e:
        say(f'main: caught {code(e)}')

run(main())
