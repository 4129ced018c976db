"""171 Cancelling the task that awaits shield(inner) cancels only the outer
await: the shield future is cancelled, the inner task is never asked to
cancel and runs to its result.

(asyncio docs, shield; test_tasks.py test_shield_effect,
test_shield_cancel_outer.)
"""
import asyncio
from harness import run, trace, code


async def work():
    await asyncio.sleep(2)
    trace('work: finished')
    return 9


async def waiter(guard):
    try:
        await guard
    except asyncio.CancelledError as e:
        trace(f'waiter: {code(e)}')
        raise


async def main():
    inner = asyncio.create_task(work())
    guard = asyncio.shield(inner)
    w = asyncio.create_task(waiter(guard))
    await asyncio.sleep(1)
    w.cancel()
    await asyncio.sleep(0.5)
    trace(f'main: shield cancelled={int(guard.cancelled())} '
          f'inner cancelling={inner.cancelling()} done={int(inner.done())}')
    trace(f'main: inner -> {await inner}')

run(main())
