"""24 a cancelled timer never runs; the one beside it does.

TimerHandle.cancel removes the callback before it fires (asyncio docs,
Handle.cancel). asyncio's cancel() returns nothing, so the line prints
whether the handle is cancelled afterwards (1), as the C API's
ac_call_cancel reports that it cancelled a pending timer.
"""
import asyncio
from harness import run, trace, say


def fired(name):
    trace(name)


async def main():
    loop = asyncio.get_running_loop()
    h = loop.call_later(1, fired, 'dropped')
    loop.call_later(1, fired, 'kept')
    h.cancel()
    say(f'main: cancel -> {int(h.cancelled())}')
    await asyncio.sleep(2)
    trace('main: done')

run(main())
