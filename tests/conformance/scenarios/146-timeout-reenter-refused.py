"""146 A timeout scope can be entered only once: entering it again, while
it is active or after it exited, is refused with RuntimeError.

The refusal leaves the scope as it was: the active one goes on and exits
normally (asyncio.Timeout; test_timeouts.py test_timeout_already_entered,
test_timeout_double_enter).
"""
import asyncio
from harness import run, trace, describe


async def main():
    scope = asyncio.timeout(5)
    try:
        async with scope:
            try:
                async with scope:
                    trace('main: entered while active')
            except Exception as e:
                trace(f'main: nested enter refused: {describe(e)}')
            await asyncio.sleep(1)
        trace('main: first use done')
        async with scope:
            trace('main: entered again')
    except Exception as e:
        trace(f'main: {describe(e)}')
    trace(f'main: expired={int(scope.expired())}')

run(main())
