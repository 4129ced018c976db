"""158 When the task wait_for timed out fails while cleaning up after its
cancellation, that error reaches the caller instead of TimeoutError.

(asyncio docs, wait_for; test_waitfor.py
test_wait_for_reraises_exception_during_cancellation.)
"""
import asyncio
from harness import run, trace, describe


async def fragile():
    try:
        await asyncio.sleep(10)
    finally:
        trace('fragile: cleaning up')
        raise ValueError('cleanup failed')


async def main():
    try:
        await asyncio.wait_for(asyncio.create_task(fragile()), 1)
    except BaseException as e:
        trace(f'main: caught {describe(e)}')

run(main())
