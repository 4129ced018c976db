"""160 A gather child cancelled on its own (not through the gather) does not
cancel the gather: awaiting it raises CancelledError as the child's
exception, and the other children run on.

(asyncio docs, gather: "If any Task or Future from the aws sequence is
cancelled, it is treated as if it raised CancelledError - the gather() call
is not cancelled in this case"; test_tasks.py
GatherTestsBase.test_one_cancellation.)
"""
import asyncio
from harness import run, trace, code


async def work(name, delay, value):
    await asyncio.sleep(delay)
    trace(f'{name}: finished')
    return value


async def main():
    a = asyncio.create_task(work('A', 1, 1))
    b = asyncio.create_task(work('B', 2, 2))
    g = asyncio.gather(a, b)
    await asyncio.sleep(0.5)
    a.cancel()
    try:
        await g
    except asyncio.CancelledError as e:
        trace(f'main: gather raised {code(e)}')
    trace(f'main: gather cancelled={int(g.cancelled())} done={int(g.done())}')
    trace(f'main: B -> {await b}')

run(main())
