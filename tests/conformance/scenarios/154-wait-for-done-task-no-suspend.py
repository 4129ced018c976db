"""154 wait_for on a task already done returns its result at once, without
suspending: another task that is ready to run does not run in between.

wait_for(fut, t) awaits fut inside a timeout scope; awaiting a done future
does not suspend, so no loop iteration passes (asyncio 3.12 wait_for, built
on asyncio.timeout, CPython gh-96764; test_waitfor.py
test_wait_for_timeout_less_then_0_or_0_future_done,
test_wait_for_issue86296).
"""
import asyncio
from harness import run, trace


async def value(v):
    return v


async def bystander():
    trace('bystander: ran')


async def main():
    done = asyncio.create_task(value(3))
    await asyncio.sleep(0)
    asyncio.create_task(bystander())
    trace(f'main: timeout 0 -> {await asyncio.wait_for(done, 0)}')
    trace(f'main: timeout 5 -> {await asyncio.wait_for(done, 5)}')
    trace('main: before yielding')
    await asyncio.sleep(0)
    trace('main: done')

run(main())
