"""66 wait_for(predicate) checks the predicate at once and after each
notification, waits again while it is false, and returns its value

The predicate runs with the lock held; the call returns the predicate's
last (true) value, with the lock held (asyncio docs: Condition.wait_for;
test_locks.py ConditionTests.test_wait_for)."""
import asyncio
from harness import run, trace

items = []


def two_items():
    trace(f'predicate: {len(items)} items')
    return len(items) if len(items) >= 2 else 0


async def consumer(cond):
    async with cond:
        n = await cond.wait_for(two_items)
        trace(f'consumer: wait_for returned {n}, locked={int(cond.locked())}')


async def main():
    cond = asyncio.Condition()
    c = asyncio.create_task(consumer(cond))
    for i in range(2):
        await asyncio.sleep(1)
        async with cond:
            items.append(i)
            cond.notify()
            trace(f'main: added item {i}')
    await c

run(main())
