"""70 a Condition built on a Lock shares it: the condition is locked when
the lock is, wait() releases that lock, and notify() is allowed while it is
held through the Lock itself

(asyncio docs: Condition(lock); test_locks.py
ConditionTests.test_explicit_lock)."""
import asyncio
from harness import run, trace


async def waiter(cond):
    async with cond:
        trace('W waits')
        await cond.wait()
        trace('W notified')


async def main():
    lock = asyncio.Lock()
    cond = asyncio.Condition(lock)
    await lock.acquire()
    trace(f'lock held: cond.locked={int(cond.locked())}')
    lock.release()
    async with cond:
        trace(f'cond held: lock.locked={int(lock.locked())}')
    w = asyncio.create_task(waiter(cond))
    await asyncio.sleep(1)
    trace(f'W waiting: lock.locked={int(lock.locked())}')
    async with lock:
        cond.notify()
        trace('main: notify under the lock')
    await w
    trace(f'main: lock.locked={int(lock.locked())}')

run(main())
