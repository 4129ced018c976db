"""148 A body that swallows the scope's cancellation leaves the scope quietly:
no TimeoutError, yet expired() is true and the request is withdrawn.

The scope converts only a CancelledError that reaches its exit; when the
body catches it and goes on, the scope exits normally, takes its cancel
request back (cancelling() returns to 0) and the next await runs as usual
(asyncio docs, asyncio.timeout and Task.uncancel).
"""
import asyncio
from harness import run, trace


async def main():
    me = asyncio.current_task()
    scope = asyncio.timeout(1)
    async with scope:
        try:
            await asyncio.sleep(5)
        except asyncio.CancelledError:
            trace('body: cancelled, carrying on')
        trace(f'body: cancelling={me.cancelling()}')
    trace(f'main: left the scope expired={int(scope.expired())} cancelling={me.cancelling()}')
    await asyncio.sleep(1)
    trace('main: next await ran')

run(main())
