"""159 wait_for(shield(task), 0): the shield is cancelled and TimeoutError
raised, while the task behind it keeps running and finishes.

wait_for cancels what it was given, the shield; cancelling a shield does
not cancel the task it guards (asyncio docs, shield and wait_for;
test_waitfor.py WaitForShieldTests.test_zero_timeout).
"""
import asyncio
from harness import run, trace, code


async def work():
    await asyncio.sleep(1)
    trace('work: finished')
    return 9


async def main():
    task = asyncio.create_task(work())
    guard = asyncio.shield(task)
    try:
        await asyncio.wait_for(guard, 0)
    except TimeoutError as e:
        trace(f'main: caught {code(e)}')
    trace(f'main: shield cancelled={int(guard.cancelled())} task done={int(task.done())}')
    trace(f'main: task -> {await task}')

run(main())
