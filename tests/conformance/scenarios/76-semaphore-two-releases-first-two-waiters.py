"""76 two release() calls in a row wake the first two waiters in order,
even when a task created between them asks for a permit first

A release() with waiters hands its permit to the first waiter that is
still waiting; a newcomer that runs before the woken waiters finds the
semaphore locked and queues (asyncio docs: Semaphore; bpo-45997)."""
import asyncio
from harness import run, trace


async def worker(sem, name):
    trace(f'{name} wants')
    await sem.acquire()
    trace(f'{name} acquired')


async def main():
    sem = asyncio.Semaphore(0)
    a = asyncio.create_task(worker(sem, 'A'))
    b = asyncio.create_task(worker(sem, 'B'))
    await asyncio.sleep(1)
    sem.release()
    x = asyncio.create_task(worker(sem, 'X'))
    sem.release()
    await a
    await b
    await asyncio.sleep(1)
    trace(f'main: X done={int(x.done())}')
    sem.release()
    await x

run(main())
