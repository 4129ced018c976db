"""49 Event.set wakes every task waiting on the event.

All waiters of an Event are released by one set(), and the event stays set
(asyncio docs, asyncio.Event).
"""
import asyncio
from harness import run, trace


async def waiter(ev, name):
    await ev.wait()
    trace(f'{name} woke')


async def main():
    ev = asyncio.Event()
    a = asyncio.create_task(waiter(ev, 'A'))
    b = asyncio.create_task(waiter(ev, 'B'))
    await asyncio.sleep(2)
    ev.set()
    await a
    await b
    trace(f'main: is_set={int(ev.is_set())}')

run(main())
