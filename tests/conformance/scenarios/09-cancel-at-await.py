"""09 cancellation arrives at the point where the task awaits, carrying the
cancel message.

Task.cancel(msg) makes the awaited sleep raise CancelledError(msg) inside
the task; except and finally clauses run; the awaiter of the task sees the
same message, and the task reports cancelled() (asyncio docs, Task.cancel).
"""
import asyncio
from harness import run, trace, say, msg


async def sleeper():
    say('T: sleeping')
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError as e:
        trace(f'T: cancelled ({msg(e)})')
        raise
    finally:
        trace('T: cleanup')


async def main():
    t = asyncio.create_task(sleeper())
    await asyncio.sleep(1)
    t.cancel('stop')
    try:
        await t
    except asyncio.CancelledError as e:
        trace(f'main: T cancelled ({msg(e)}), cancelled={int(t.cancelled())}')

run(main())
