"""143 A task that cancels itself inside an expired timeout(0) scope: the
cancellation passes through as CancelledError, not TimeoutError.

The scope expires at once, so its own cancel request and the task's meet
at the first await. At exit the scope takes back only its own request; one
is still pending (the task's), so the CancelledError is not the scope's to
convert: it propagates, expired() is still true, and the task's
cancelling() count stays 1 (asyncio docs, Task.uncancel and
asyncio.timeout; test_timeouts.py
test_foreign_cancel_doesnt_timeout_if_not_expired, with a scope that did
expire).
"""
import asyncio
from harness import run, trace, code


async def main():
    scope = asyncio.timeout(0)
    me = asyncio.current_task()
    try:
        async with scope:
            me.cancel()
            await asyncio.sleep(1)
            trace('body: after the sleep')
    except TimeoutError as e:
        trace(f'main: caught TimeoutError {code(e)}')
    except asyncio.CancelledError as e:
        trace(f'main: caught {code(e)}')
    trace(f'main: expired={int(scope.expired())} cancelling={me.cancelling()}')

run(main())
