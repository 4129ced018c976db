"""50 Condition.notify(1) wakes one waiter; notify_all wakes the rest.

notify(n) wakes at most n of the tasks waiting on the condition, oldest
first; notify_all wakes all of them; each reacquires the lock before
wait() returns (asyncio docs, asyncio.Condition).
"""
import asyncio
from harness import run, trace


async def waiter(cond, name):
    async with cond:
        await cond.wait()
        trace(f'{name} notified')


async def main():
    cond = asyncio.Condition()
    w1 = asyncio.create_task(waiter(cond, 'W1'))
    w2 = asyncio.create_task(waiter(cond, 'W2'))
    await asyncio.sleep(1)
    async with cond:
        cond.notify(1)
    await asyncio.sleep(1)
    async with cond:
        cond.notify_all()
    await w1
    await w2

run(main())
