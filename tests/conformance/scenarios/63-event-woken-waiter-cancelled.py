"""63 a waiter woken by set() but cancelled before it resumes ends with
CancelledError; the event stays set and the other waiters pass

Cancelling a woken waiter leaves no trace on the event (test_locks.py
EventTests.test_wait_cancel; asyncio docs: Event.wait)."""
import asyncio
from harness import run, trace


async def waiter(ev, name):
    try:
        await ev.wait()
    except asyncio.CancelledError:
        trace(f'{name}: cancelled')
        raise
    trace(f'{name} passed')


async def main():
    ev = asyncio.Event()
    a = asyncio.create_task(waiter(ev, 'A'))
    b = asyncio.create_task(waiter(ev, 'B'))
    await asyncio.sleep(1)
    ev.set()
    a.cancel()
    try:
        await a
    except asyncio.CancelledError:
        trace('main: A ended cancelled')
    await b
    trace(f'main: is_set={int(ev.is_set())}')

run(main())
