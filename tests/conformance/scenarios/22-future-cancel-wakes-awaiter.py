"""22 cancelling a future wakes the task awaiting it with CancelledError.

Future.cancel(msg) completes the future as cancelled; a task awaiting it
gets CancelledError carrying the message, and if it re-raises, the task
ends cancelled (asyncio docs, Future.cancel).
"""
import asyncio
from harness import run, trace, msg


async def waiter(f):
    try:
        await f
    except asyncio.CancelledError as e:
        trace(f'W: cancelled ({msg(e)})')
        raise


async def main():
    f = asyncio.get_running_loop().create_future()
    w = asyncio.create_task(waiter(f))
    await asyncio.sleep(1)
    f.cancel('bye')
    try:
        await w
    except asyncio.CancelledError:
        trace(f'main: W cancelled={int(w.cancelled())}')

run(main())
