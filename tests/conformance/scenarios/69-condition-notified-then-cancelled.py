"""69 a waiter notified but cancelled before it resumes passes the
notification on to the next waiter

A notified waiter whose wait() ends with CancelledError wakes another
waiter in its place, so notify(1) is not lost (CPython 3.13, gh-112202:
Condition.wait notifies one more waiter when it raises)."""
import asyncio
from harness import run, trace


async def waiter(cond, name):
    async with cond:
        trace(f'{name} waits')
        try:
            await cond.wait()
        except asyncio.CancelledError:
            trace(f'{name}: cancelled')
            raise
        trace(f'{name} notified')


async def main():
    cond = asyncio.Condition()
    a = asyncio.create_task(waiter(cond, 'A'))
    b = asyncio.create_task(waiter(cond, 'B'))
    await asyncio.sleep(1)
    async with cond:
        cond.notify(1)
        a.cancel()
        trace('main: notify(1), cancel A')
    await asyncio.sleep(1)
    trace(f'main: B done={int(b.done())}')
    if not b.done():
        async with cond:
            cond.notify_all()
    try:
        await a
    except asyncio.CancelledError:
        trace('main: A ended cancelled')
    await b

run(main())
