"""150 Nested scopes that expire at the same moment: the outer one raises
TimeoutError, the inner one lets the CancelledError through.

Both deadlines cancel the task; at the inner exit one request (the
outer's) is still pending, so the inner scope does not claim the
cancellation; the outer exit then finds none left and converts it
(test_timeouts.py test_nested_timeouts_concurrent).
"""
import asyncio
from harness import run, trace, code


async def main():
    outer = asyncio.timeout(1)
    try:
        async with outer:
            inner = asyncio.timeout(1)
            try:
                async with inner:
                    await asyncio.sleep(5)
            except BaseException as e:
                trace(f'inner: {code(e)} expired={int(inner.expired())}')
                raise
    except TimeoutError as e:
        trace(f'outer: {code(e)} expired={int(outer.expired())}')
    trace(f'main: cancelling={asyncio.current_task().cancelling()}')

run(main())
