"""58 after release() wakes a waiter, locked() is false until that waiter
runs, yet an acquire() made meanwhile queues behind it

asyncio's Lock.release() only wakes the first waiter; the lock is marked
held again when the waiter resumes. A newcomer's acquire() in between does
not take the free lock: it waits its turn behind the woken waiter (asyncio
docs: Lock, "successive release() calls will unblock tasks in FIFO order";
test_locks.py LockTests.test_acquire)."""
import asyncio
from harness import run, trace


async def waiter(lock):
    trace('W wants')
    await lock.acquire()
    trace(f'W holds: locked={int(lock.locked())}')
    await asyncio.sleep(1)
    trace('W releases')
    lock.release()


async def main():
    lock = asyncio.Lock()
    await lock.acquire()
    w = asyncio.create_task(waiter(lock))
    await asyncio.sleep(1)
    lock.release()
    trace(f'main released: locked={int(lock.locked())}')
    await lock.acquire()
    trace(f'main holds again: locked={int(lock.locked())}')
    lock.release()
    await w

run(main())
