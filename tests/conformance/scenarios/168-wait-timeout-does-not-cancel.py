"""168 wait's timeout only ends the wait: it raises nothing, the tasks not
done are returned as pending and go on to finish.

(asyncio docs, wait: "Unlike wait_for(), wait() does not cancel the futures
when a timeout occurs"; test_tasks.py test_wait_with_timeout.)
"""
import asyncio
from harness import run, trace


async def work(name, delay):
    await asyncio.sleep(delay)
    trace(f'{name}: finished')
    return delay


def names(tasks):
    return ', '.join(sorted(t.get_name() for t in tasks))


async def main():
    a = asyncio.create_task(work('A', 2), name='A')
    b = asyncio.create_task(work('B', 3), name='B')
    done, pending = await asyncio.wait([a, b], timeout=1, return_when=asyncio.FIRST_COMPLETED)
    trace(f'main: done=[{names(done)}] pending=[{names(pending)}]')
    trace(f'main: A cancelled={int(a.cancelled())} B cancelled={int(b.cancelled())}')
    trace(f'main: B -> {await b}')

run(main())
