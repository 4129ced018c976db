"""170 as_completed with a timeout: steps for tasks done in time give their
results; once the timeout passes, the next step raises TimeoutError, and
the tasks not done are not cancelled.

(asyncio docs, as_completed: "Raises TimeoutError if the timeout occurs
before all awaitables are done"; test_tasks.py
test_as_completed_with_timeout.)
"""
import asyncio
from harness import run, trace, code


async def work(v, delay):
    await asyncio.sleep(delay)
    trace(f'work {v}: finished')
    return v


async def main():
    a = asyncio.create_task(work(1, 1))
    b = asyncio.create_task(work(2, 3))
    try:
        for step in asyncio.as_completed([a, b], timeout=2):
            trace(f'main: next={await step}')
    except TimeoutError as e:
        trace(f'main: caught {code(e)}')
    trace(f'main: B cancelled={int(b.cancelled())}')
    trace(f'main: B -> {await b}')

run(main())
