"""83 a party released by the last arrival but cancelled before it
resumes ends with CancelledError; the barrier is not broken and the next
round works

A cancelled waiter does not keep the index it was handed and leaves no
trace on the barrier (asyncio docs: Barrier.wait)."""
import asyncio
from harness import run, trace


async def party(b, name):
    try:
        i = await b.wait()
    except asyncio.CancelledError:
        trace(f'{name}: cancelled')
        raise
    trace(f'{name} passed: index={i}')


async def main():
    b = asyncio.Barrier(2)
    a = asyncio.create_task(party(b, 'A'))
    await asyncio.sleep(1)
    i = await b.wait()
    trace(f'main passed: index={i}; cancels A')
    a.cancel()
    try:
        await a
    except asyncio.CancelledError:
        trace('main: A ended cancelled')
    trace(f'main: broken={int(b.broken)} n_waiting={b.n_waiting}')
    c = asyncio.create_task(party(b, 'C'))
    await asyncio.sleep(1)
    i = await b.wait()
    trace(f'main passed again: index={i}')
    await c

run(main())
