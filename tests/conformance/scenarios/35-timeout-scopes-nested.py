"""35 nested timeout scopes: only the one that expired converts the
cancellation.

When the outer deadline passes, the inner scope (not expired) lets the
CancelledError through unchanged; the outer scope turns it into
TimeoutError (asyncio docs, asyncio.timeout; test_timeouts.py nested
timeout tests).
"""
import asyncio
from harness import run, trace


async def main():
    try:
        async with asyncio.timeout(1):
            try:
                async with asyncio.timeout(5):
                    await asyncio.sleep(10)
            except TimeoutError:
                trace('inner: timed out')  # must not happen
            except asyncio.CancelledError:
                trace('inner: cancelled')
                raise
    except TimeoutError:
        trace('outer: timed out')

run(main())
