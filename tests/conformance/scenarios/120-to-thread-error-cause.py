"""120 a worker's error reaches the awaiting task with message and cause

An exception raised by a to_thread function is raised by the await, the
same object: its message and its __cause__ (raise ... from ...) survive
the trip from the worker thread (asyncio docs, asyncio.to_thread;
test_threads.py test_to_thread_exception)."""
import asyncio
import errno
from harness import run, say, code, msg


def work():
    try:
        raise ConnectionResetError(errno.ECONNRESET, 'peer reset')
    except OSError as e:
        raise ValueError('bad reply') from e


async def main():
    try:
        await asyncio.to_thread(work)
    except ValueError as e:
        say(f'main: {code(e)}: {msg(e)}')
        c = e.__cause__
        say(f'main: cause {code(c)}: {msg(c)}')

run(main())
