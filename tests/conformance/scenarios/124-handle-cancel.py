"""124 a cancelled callback never runs; handles tell cancelled() and when()

A handle from call_soon or call_later cancelled before it runs never runs;
cancel() may be called again harmlessly and cancelled() says 1 from then
on. A timer handle's when() is its deadline in loop time (asyncio docs,
Handle.cancel, Handle.cancelled, TimerHandle.when; test_events.py
HandleTests.test_handle, TimerTests.test_when)."""
import asyncio
from harness import run, trace


async def main():
    loop = asyncio.get_running_loop()
    soon = loop.call_soon(trace, 'never printed')
    later = loop.call_later(1.5, trace, 'never printed')
    kept = loop.call_later(2.5, trace, 'kept: ran')
    trace(f'main: cancelled={int(soon.cancelled())}, when={round(later.when() * 1000)}, '
          f'{round(kept.when() * 1000)}')
    soon.cancel()
    later.cancel()
    later.cancel()
    trace(f'main: cancelled={int(soon.cancelled())}, {int(later.cancelled())}, '
          f'{int(kept.cancelled())}')
    await asyncio.sleep(3)
    trace('main: done')

run(main())
