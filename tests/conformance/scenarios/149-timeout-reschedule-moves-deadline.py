"""149 reschedule() moves an active scope's deadline: from none to a time,
later, or away (None); when() reports it.

A scope made with timeout(None) never expires until given a deadline;
rescheduling an active scope replaces its deadline, and None removes it
(asyncio docs, Timeout.when / Timeout.reschedule; test_timeouts.py
test_timeout_disabled, test_reschedule).
"""
import asyncio
from harness import run, trace, code


def when(scope):
    w = scope.when()
    return 'none' if w is None else str(round(w * 1000))


async def main():
    loop = asyncio.get_running_loop()
    scope = asyncio.timeout(None)
    try:
        async with scope:
            trace(f'A: when={when(scope)}')
            scope.reschedule(loop.time() + 1)
            trace(f'A: when={when(scope)}')
            await asyncio.sleep(5)
    except TimeoutError as e:
        trace(f'A: caught {code(e)}')

    scope = asyncio.timeout(1)
    async with scope:
        scope.reschedule(loop.time() + 3)
        await asyncio.sleep(2)
        trace(f'B: still inside, when={when(scope)}')
        scope.reschedule(None)
        await asyncio.sleep(5)
        trace(f'B: done, when={when(scope)} expired={int(scope.expired())}')

run(main())
