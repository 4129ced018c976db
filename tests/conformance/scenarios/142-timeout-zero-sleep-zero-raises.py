"""142 Inside timeout(0), even a first await of sleep(0) raises: the expiry
is scheduled when the scope is entered, ahead of the task's own step.

Entering an already-due scope schedules its expiry at once (call_soon), so
it runs before the task resumes from sleep(0): the task is cancelled there
and the scope raises TimeoutError. Another task ready at the same time
runs in between (test_timeouts.py test_timeout_zero_sleep_zero, CPython
gh-95051).
"""
import asyncio
from harness import run, trace, code


async def other():
    trace('other: ran')


async def main():
    scope = asyncio.timeout(0)
    try:
        async with scope:
            asyncio.create_task(other())
            await asyncio.sleep(0)
            trace('body: after sleep(0)')
    except TimeoutError as e:
        trace(f'main: caught {code(e)}')
    trace(f'main: expired={int(scope.expired())}')

run(main())
