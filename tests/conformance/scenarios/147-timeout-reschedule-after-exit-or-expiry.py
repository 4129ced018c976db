"""147 reschedule() is refused with RuntimeError once the scope has expired
(also while it is still inside its body) and once it has exited.

(asyncio.Timeout.reschedule; test_timeouts.py test_timeout_finished.)
"""
import asyncio
from harness import run, trace, describe


def try_reschedule(label, scope):
    try:
        scope.reschedule(None)
        trace(f'{label}: rescheduled')
    except RuntimeError as e:
        trace(f'{label}: {describe(e)}')


async def main():
    done = asyncio.timeout(5)
    async with done:
        await asyncio.sleep(1)
    try_reschedule('after exit', done)

    expired = asyncio.timeout(1)
    try:
        async with expired:
            try:
                await asyncio.sleep(5)
            except asyncio.CancelledError:
                try_reschedule('while expiring', expired)
                raise
    except TimeoutError:
        trace('main: timed out')
    try_reschedule('after expiry', expired)

run(main())
