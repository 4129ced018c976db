"""152 wait_for(coroutine, 0): the coroutine never starts; wait_for raises
TimeoutError, whose cause is the CancelledError of the task it made.

With a timeout of zero or less, wait_for wraps the coroutine in a task and,
that task not being done, cancels it and waits for it: a task cancelled
before its first step never runs its coroutine (asyncio docs, wait_for;
test_waitfor.py test_wait_for_timeout_less_then_0_or_0_coroutine_do_not_started).
"""
import asyncio
from harness import run, trace, code


async def work():
    trace('work: started')
    await asyncio.sleep(1)
    return 1


async def main():
    try:
        await asyncio.wait_for(work(), 0)
        trace('main: got a result')
    except TimeoutError as e:
        trace(f'main: caught {code(e)} cause={code(e.__cause__)}')
    await asyncio.sleep(2)
    trace('main: done')

run(main())
