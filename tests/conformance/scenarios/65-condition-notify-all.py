"""65 notify_all() wakes every task waiting at that moment, in order; a
task that starts waiting afterwards waits for the next notification

(asyncio docs: Condition.notify_all; test_locks.py
ConditionTests.test_notify_all)."""
import asyncio
from harness import run, trace


async def waiter(cond, name):
    async with cond:
        trace(f'{name} waits')
        await cond.wait()
        trace(f'{name} woke')


async def main():
    cond = asyncio.Condition()
    a = asyncio.create_task(waiter(cond, 'A'))
    b = asyncio.create_task(waiter(cond, 'B'))
    await asyncio.sleep(1)
    async with cond:
        cond.notify_all()
        trace('main: notify_all')
        c = asyncio.create_task(waiter(cond, 'C'))
    await a
    await b
    await asyncio.sleep(1)
    async with cond:
        cond.notify_all()
        trace('main: notify_all again')
    await c

run(main())
