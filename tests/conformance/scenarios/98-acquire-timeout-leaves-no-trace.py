"""98 a lock acquire() or queue get() abandoned by a timeout leaves the
queue of waiters: the lock is free once its holder releases it, and an
item put afterwards stays in the queue

A waiter cancelled by asyncio.wait_for() is like any cancelled waiter: it
never holds what it waited for (asyncio docs: asyncio.wait_for, Lock,
Queue; test_queues.py
QueueGetTests.test_cancelled_getters_not_being_held_in_self_getters,
test_locks.py ConditionTests.test_timeout_in_block)."""
import asyncio
from harness import run, trace


async def lock_waiter(lock):
    try:
        await asyncio.wait_for(lock.acquire(), 1)
        trace('W: acquired')
    except TimeoutError:
        trace(f'W: timed out, locked={int(lock.locked())}')


async def get_waiter(q):
    try:
        v = await asyncio.wait_for(q.get(), 1)
        trace(f'G: got {v}')
    except TimeoutError:
        trace(f'G: timed out, qsize={q.qsize()}')


async def main():
    lock = asyncio.Lock()
    q = asyncio.Queue()
    await lock.acquire()
    w = asyncio.create_task(lock_waiter(lock))
    g = asyncio.create_task(get_waiter(q))
    await asyncio.sleep(2)
    lock.release()
    q.put_nowait(7)
    trace(f'main: released, locked={int(lock.locked())}; put 7, qsize={q.qsize()}')
    await w
    await g

run(main())
