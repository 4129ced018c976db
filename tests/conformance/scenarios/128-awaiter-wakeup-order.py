"""128 an awaiting task is woken in turn with the done-callbacks

A task awaiting a future is woken by a done-callback it adds when it
suspends, so it takes its turn among the future's callbacks in the order
they were registered: a callback added before it runs before it, one
added after it runs after it (futures.py Future.add_done_callback;
tasks.py Task.__step registers Task.__wakeup as a done-callback)."""
import asyncio
from harness import run, trace


async def work():
    await asyncio.sleep(1)
    return 'w'


async def waiter(name, t):
    trace(f'{name}: got {await t}')


async def main():
    t = asyncio.create_task(work())
    t.add_done_callback(lambda _: trace('cb1'))
    w = asyncio.create_task(waiter('W', t))
    await asyncio.sleep(0.5)
    t.add_done_callback(lambda _: trace('cb2'))
    trace(f'main: got {await t}')
    await w

run(main())
