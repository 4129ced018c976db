"""109 a task that swallows its cancellation goes on undisturbed

A task that catches CancelledError and does not re-raise it goes on: its
next awaits are not cancelled again, it returns its value, and it ends
with a result, not cancelled; cancelling() still counts the request until
uncancel() takes it back (asyncio docs, Task.cancel: "the coroutine can
suppress the cancellation"; test_tasks.py test_cancel_task_ignoring)."""
import asyncio
from harness import run, trace


async def stubborn():
    me = asyncio.current_task()
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError:
        trace(f'T: swallowed, cancelling={me.cancelling()}')
    await asyncio.sleep(2)
    trace('T: slept 2 more')
    trace(f'T: uncancel -> {me.uncancel()}')
    return 'kept going'


async def main():
    t = asyncio.create_task(stubborn())
    await asyncio.sleep(1)
    t.cancel()
    result = await t
    trace(f'main: {result}; cancelled={int(t.cancelled())} cancelling={t.cancelling()}')

run(main())
