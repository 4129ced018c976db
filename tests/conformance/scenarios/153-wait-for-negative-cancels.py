"""153 wait_for(task, -1) on a task not yet done cancels it, waits for its
cleanup, and raises TimeoutError; on a task already done it returns the
result.

A timeout of zero or less is not an error: it means "no time at all"
(asyncio docs, wait_for; test_waitfor.py
test_wait_for_timeout_less_then_0_or_0).
"""
import asyncio
from harness import run, trace, code


async def work(name, delay):
    try:
        await asyncio.sleep(delay)
    except asyncio.CancelledError:
        trace(f'{name}: cancelled')
        raise
    return 7


async def main():
    slow = asyncio.create_task(work('slow', 5))
    quick = asyncio.create_task(work('quick', 0))
    await asyncio.sleep(1)
    try:
        await asyncio.wait_for(slow, -1)
    except TimeoutError as e:
        trace(f'main: slow -> {code(e)} cancelled={int(slow.cancelled())}')
    trace(f'main: quick -> {await asyncio.wait_for(quick, -1)}')

run(main())
