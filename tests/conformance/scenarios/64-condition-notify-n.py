"""64 notify(n) wakes up to n waiters in the order they waited; each
returns from wait() only once it holds the lock again

A notified waiter resumes after the notifier releases the lock; notify(n)
with n larger than the number of waiters wakes them all, one after the
other (asyncio docs: Condition.notify; test_locks.py
ConditionTests.test_wait, test_notify)."""
import asyncio
from harness import run, trace


async def waiter(cond, name):
    async with cond:
        trace(f'{name} waits')
        await cond.wait()
        trace(f'{name} woke: locked={int(cond.locked())}')


async def main():
    cond = asyncio.Condition()
    tasks = [asyncio.create_task(waiter(cond, n)) for n in 'ABC']
    await asyncio.sleep(1)
    async with cond:
        cond.notify(1)
        trace('main: notify(1)')
        await asyncio.sleep(1)
        trace('main: releases')
    await asyncio.sleep(1)
    async with cond:
        cond.notify(5)
        trace('main: notify(5)')
    for t in tasks:
        await t
    trace(f'main: locked={int(cond.locked())}')

run(main())
