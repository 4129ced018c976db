"""07 the error a task raises reaches whoever awaits it, with its code and
message.

Awaiting a task that ended with an exception raises that exception in the
awaiter (asyncio docs, Task.result / "Awaitables").
"""
import asyncio
import errno
from harness import run, trace, code, msg


async def failing():
    await asyncio.sleep(1)
    raise ConnectionResetError(errno.ECONNRESET, 'peer reset')


async def main():
    t = asyncio.create_task(failing())
    try:
        await t
    except OSError as e:
        trace(f'main: caught {code(e)}: {msg(e)}')

run(main())
