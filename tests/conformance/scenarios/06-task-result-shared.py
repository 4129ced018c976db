"""06 every awaiter of a task gets its result; a done task cannot be cancelled.

A task is a future: any number of tasks may await it and each receives the
same result. cancel() on a task that is already done returns False
(asyncio docs, Task.cancel).
"""
import asyncio
from harness import run, trace, say


async def producer():
    await asyncio.sleep(1)
    return 42


async def waiter(name, p):
    r = await p
    trace(f'{name}: got {r}')


async def main():
    p = asyncio.create_task(producer())
    w1 = asyncio.create_task(waiter('W1', p))
    w2 = asyncio.create_task(waiter('W2', p))
    await w1
    await w2
    say(f'main: cancel after done -> {int(p.cancel())}')

run(main())
