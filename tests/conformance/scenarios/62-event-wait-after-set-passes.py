"""62 set() wakes the waiters in the order they began waiting, and a task
whose first wait() comes after set() passes at once, ahead of them

A task created before set() but started after it finds the flag true and
does not wait; the woken waiters resume afterwards, in their order
(asyncio docs: Event.wait; test_locks.py EventTests.test_wait)."""
import asyncio
from harness import run, trace


async def waiter(ev, name):
    trace(f'{name} waits')
    await ev.wait()
    trace(f'{name} passed')


async def main():
    ev = asyncio.Event()
    a = asyncio.create_task(waiter(ev, 'A'))
    b = asyncio.create_task(waiter(ev, 'B'))
    await asyncio.sleep(1)
    c = asyncio.create_task(waiter(ev, 'C'))
    ev.set()
    trace('main: set')
    await a
    await b
    await c

run(main())
