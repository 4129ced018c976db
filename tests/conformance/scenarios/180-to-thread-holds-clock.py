"""180 to_thread work holds the virtual clock while a timer is pending

Work on a worker thread is outside the loop's time: while it runs, the
loop waits for it and lets no timer jump ahead of it. A job that takes
real time (a 20 ms sleep on the worker) while a task sleeps 10 s gives its
result at virtual time 0; the sleep still ends at 10 s (asyncio docs,
asyncio.to_thread and loop.run_in_executor: the awaiting task resumes when
the function returns, the other tasks' timers keep their deadlines).
"""
import asyncio
import time
from harness import run, trace


def slow_job():
    time.sleep(0.02)
    return 7


async def sleeper():
    trace('sleeper: sleeping 10')
    await asyncio.sleep(10)
    trace('sleeper: woke')


async def main():
    t = asyncio.create_task(sleeper())
    await asyncio.sleep(0)
    trace(f'main: job gave {await asyncio.to_thread(slow_job)}')
    await t
    trace('main: done')

run(main())
