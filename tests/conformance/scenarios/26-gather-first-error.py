"""26 gather raises the first error at once; the other awaitables go on.

Without return_exceptions, the first exception is propagated to the awaiter
of gather immediately; the other awaitables are not cancelled and keep
running (asyncio docs, asyncio.gather).
"""
import asyncio
import errno
import os
from harness import run, trace, code


async def worker(name, delay, value):
    await asyncio.sleep(delay)
    trace(f'{name}: done')
    return value


async def failing(delay, err=errno.ECONNRESET):
    await asyncio.sleep(delay)
    raise OSError(err, os.strerror(err))


async def main():
    b = asyncio.create_task(worker('B', 2, 2))
    try:
        await asyncio.gather(failing(1), b)
    except OSError as e:
        trace(f'main: gather failed with {code(e)}')
    r = await b
    trace(f'main: B returned {r}')

run(main())
