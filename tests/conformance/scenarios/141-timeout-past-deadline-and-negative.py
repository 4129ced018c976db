"""141 A deadline already past (timeout_at(loop.time() - 1)) and a negative
delay (timeout(-1)) expire at once, like timeout(0).

Neither is refused: the scope's deadline is simply in the past, so it
expires at the next loop iteration and the body's first await raises
(asyncio docs: "If when is in the past, the timeout will trigger on the
next iteration of the event loop"; test_timeouts.py
test_timeout_in_the_past_sleep_zero).
"""
import asyncio
from harness import run, trace, code


async def main():
    loop = asyncio.get_running_loop()
    await asyncio.sleep(2)
    for label, scope in (('timeout_at(now - 1)', asyncio.timeout_at(loop.time() - 1)),
                         ('timeout(-1)', asyncio.timeout(-1))):
        try:
            async with scope:
                await asyncio.sleep(1)
                trace(f'{label}: after the sleep')
        except TimeoutError as e:
            trace(f'{label}: caught {code(e)} when={round(scope.when() * 1000)} '
                  f'expired={int(scope.expired())}')

run(main())
