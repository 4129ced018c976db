"""145 reschedule() on a timeout scope not yet entered is refused with
RuntimeError.

Only an active scope can move its deadline; a scope that was created but
not entered refuses, and stays usable: entering it afterwards works
(asyncio docs, Timeout.reschedule; test_timeouts.py
test_timeout_not_entered).
"""
import asyncio
from harness import run, trace, describe


async def main():
    loop = asyncio.get_running_loop()
    scope = asyncio.timeout(5)
    try:
        scope.reschedule(loop.time() + 1)
        trace('main: rescheduled')
    except BaseException as e:
        trace(f'main: reschedule refused: {describe(e)}')
    try:
        async with scope:
            await asyncio.sleep(10)
    except TimeoutError:
        trace('main: timed out')

run(main())
