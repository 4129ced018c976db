"""140 timeout(0) expires at once: the body's first await raises, the scope
turns it into TimeoutError, expired() is true.

A scope whose deadline is already due when it is entered expires at the
next loop iteration: no time passes, the await the body is in is cancelled,
and the scope's exit turns that CancelledError into TimeoutError (asyncio
docs, asyncio.timeout; test_timeouts.py test_timeout_zero).
"""
import asyncio
from harness import run, trace, code


async def main():
    scope = asyncio.timeout(0)
    try:
        async with scope:
            trace('body: entered')
            await asyncio.sleep(1)
            trace('body: after the sleep')
    except TimeoutError as e:
        trace(f'main: caught {code(e)}')
    trace(f'main: expired={int(scope.expired())}')

run(main())
