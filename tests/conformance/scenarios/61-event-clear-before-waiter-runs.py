"""61 a waiter woken by set() returns even if clear() runs before it
resumes; after clear(), wait() blocks until the next set()

set() wakes every waiter at once; clearing the flag afterwards does not
take the wake-up back. A wait() begun after clear() waits for the next
set(); setting an event that is already set changes nothing (asyncio docs:
Event.set, Event.clear; test_locks.py EventTests.test_clear_with_waiters)."""
import asyncio
from harness import run, trace


async def waiter(ev, name):
    trace(f'{name} waits')
    await ev.wait()
    trace(f'{name} woke: is_set={int(ev.is_set())}')


async def main():
    ev = asyncio.Event()
    a = asyncio.create_task(waiter(ev, 'A'))
    await asyncio.sleep(1)
    ev.set()
    ev.clear()
    trace(f'main: set then clear, is_set={int(ev.is_set())}')
    b = asyncio.create_task(waiter(ev, 'B'))
    await a
    await asyncio.sleep(1)
    ev.set()
    ev.set()
    trace(f'main: set twice, is_set={int(ev.is_set())}')
    await b

run(main())
