"""27 gather(return_exceptions=True) waits for all and keeps every outcome.

With return_exceptions=True, errors are returned in the result list, in
argument order, like successful results (asyncio docs, asyncio.gather).
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
    r = await asyncio.gather(failing(1), worker('B', 2, 2), return_exceptions=True)
    trace(f'main: results=[{code(r[0])}, {r[1]}]')

run(main())
