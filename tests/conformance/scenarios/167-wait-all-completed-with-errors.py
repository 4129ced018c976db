"""167 wait(ALL_COMPLETED) waits for every task, failed ones included, and
never raises their errors; FIRST_EXCEPTION with no failure waits for all
too; a task passed twice counts once.

(asyncio docs, wait; test_tasks.py test_wait_with_exception,
test_wait_duplicate_coroutines.)
"""
import asyncio
from harness import run, trace, describe


async def work(name, delay, fail=False):
    await asyncio.sleep(delay)
    if fail:
        raise ValueError(f'{name} failed')
    return name


def names(tasks):
    return ', '.join(sorted(t.get_name() for t in tasks))


async def main():
    a = asyncio.create_task(work('A', 2), name='A')
    b = asyncio.create_task(work('B', 1, fail=True), name='B')
    done, pending = await asyncio.wait([a, b])
    trace(f'main: all: done=[{names(done)}] pending=[{names(pending)}]')
    trace(f'main: B -> {describe(b.exception())}')

    c = asyncio.create_task(work('C', 1), name='C')
    d = asyncio.create_task(work('D', 2), name='D')
    done, pending = await asyncio.wait([c, d, c], return_when=asyncio.FIRST_EXCEPTION)
    trace(f'main: first exception: done=[{names(done)}] pending=[{names(pending)}] count={len(done)}')

run(main())
