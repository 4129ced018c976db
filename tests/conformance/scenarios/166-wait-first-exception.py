"""166 wait(FIRST_EXCEPTION) returns when a task raises; a cancelled task is
not an exception and does not end the wait; the others stay pending and are
not cancelled.

(asyncio docs, wait: FIRST_EXCEPTION "returns when any future finishes by
raising an exception"; test_tasks.py test_wait_first_exception_in_wait.)
"""
import asyncio
from harness import run, trace, describe


async def work(name, delay, fail=False):
    await asyncio.sleep(delay)
    if fail:
        raise ValueError(name)
    trace(f'{name}: finished')


def names(tasks):
    return ', '.join(sorted(t.get_name() for t in tasks))


async def main():
    a = asyncio.create_task(work('A', 3), name='A')
    b = asyncio.create_task(work('B', 1, fail=True), name='B')
    c = asyncio.create_task(work('C', 5), name='C')
    asyncio.get_running_loop().call_later(0.5, c.cancel)
    done, pending = await asyncio.wait([a, b, c], return_when=asyncio.FIRST_EXCEPTION)
    trace(f'main: done=[{names(done)}] pending=[{names(pending)}]')
    trace(f'main: B raised {describe(b.exception())}, A cancelled={int(a.cancelled())}')
    await a

run(main())
