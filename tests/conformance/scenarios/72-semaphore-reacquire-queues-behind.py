"""72 a task that releases a semaphore and acquires it again without
yielding queues behind the tasks already waiting

The permit it released goes to the first waiter; its own acquire() waits
its turn (asyncio docs: Semaphore, FIFO order; test_locks.py
SemaphoreTests.test_acquire_fifo_order, test_acquire_fifo_order_2)."""
import asyncio
from harness import run, trace


async def repeat(sem):
    await sem.acquire()
    trace('A holds')
    await asyncio.sleep(1)
    sem.release()
    trace(f'A released: locked={int(sem.locked())}')
    await sem.acquire()
    trace('A holds again')
    await asyncio.sleep(1)
    sem.release()


async def once(sem, name):
    await sem.acquire()
    trace(f'{name} holds')
    await asyncio.sleep(1)
    sem.release()


async def main():
    sem = asyncio.Semaphore(1)
    tasks = [asyncio.create_task(repeat(sem)),
             asyncio.create_task(once(sem, 'B')),
             asyncio.create_task(once(sem, 'C'))]
    for t in tasks:
        await t
    trace(f'main: locked={int(sem.locked())}')

run(main())
