"""155 wait_for(coroutine, t) runs the coroutine in the caller's own task:
no extra task, no loop iteration before it starts.

asyncio 3.12's wait_for is "async with timeout(t): return await coro", so
the coroutine's code runs at once in the awaiting task (current_task() is
the caller) and a task made ready just before does not run first (CPython
gh-96764; asyncio docs, wait_for).
"""
import asyncio
from harness import run, trace


async def bystander():
    trace('bystander: ran')


async def work(caller):
    trace(f'work: started, in the caller task={int(asyncio.current_task() is caller)}')
    await asyncio.sleep(1)
    return 5


async def main():
    asyncio.create_task(bystander())
    r = await asyncio.wait_for(work(asyncio.current_task()), 2)
    trace(f'main: got {r}')

run(main())
