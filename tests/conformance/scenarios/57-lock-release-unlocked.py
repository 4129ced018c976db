"""57 Lock.release() on a lock nobody holds raises RuntimeError

Releasing an unlocked lock is an error, for a fresh lock and again after a
normal acquire/release cycle; locked() follows acquire and release
(asyncio docs: Lock.release, Lock.locked; test_locks.py
LockTests.test_release_not_acquired, test_release_no_waiters)."""
import asyncio
from harness import run, trace, describe


async def main():
    lock = asyncio.Lock()
    try:
        lock.release()
    except RuntimeError as e:
        trace(f'fresh lock: {describe(e)}')
    await lock.acquire()
    trace(f'acquired: locked={int(lock.locked())}')
    lock.release()
    trace(f'released: locked={int(lock.locked())}')
    try:
        lock.release()
    except RuntimeError as e:
        trace(f'released again: {describe(e)}')

run(main())
