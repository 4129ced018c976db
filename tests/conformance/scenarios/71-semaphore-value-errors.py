"""71 Semaphore(-1) raises ValueError; a BoundedSemaphore released past its
initial value raises ValueError and keeps its count

(asyncio docs: Semaphore, BoundedSemaphore; test_locks.py
SemaphoreTests.test_semaphore_value, test_release_not_acquired)."""
import asyncio
from harness import run, trace, describe


async def main():
    try:
        asyncio.Semaphore(-1)
    except ValueError as e:
        trace(f'Semaphore(-1): {describe(e)}')
    sem = asyncio.BoundedSemaphore(2)
    await sem.acquire()
    sem.release()
    trace(f'acquired and released: locked={int(sem.locked())}')
    try:
        sem.release()
    except ValueError as e:
        trace(f'extra release: {describe(e)}')
    await sem.acquire()
    trace(f'one taken: locked={int(sem.locked())}')
    await sem.acquire()
    trace(f'two taken: locked={int(sem.locked())}')

run(main())
