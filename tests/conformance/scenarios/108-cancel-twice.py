"""108 a task cancelled twice counts two requests and sees the first

cancel() on a pending task returns True each time and cancelling() counts
the requests; the task sees one CancelledError, with the first request's
message (the awaited future was cancelled with it). uncancel() takes one
request back and returns the count left; cancel() on a done task returns
False and changes nothing (asyncio docs, Task.cancelling, Task.uncancel;
test_tasks.py test_cancelling, test_uncancel_basic)."""
import asyncio
from harness import run, trace, describe


async def body():
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError as e:
        me = asyncio.current_task()
        trace(f'T: {describe(e)}; cancelling={me.cancelling()}')
        trace(f'T: uncancel -> {me.uncancel()}')
        raise


async def main():
    t = asyncio.create_task(body())
    await asyncio.sleep(1)
    trace(f'main: cancel -> {int(t.cancel("first"))}')
    trace(f'main: cancel -> {int(t.cancel("second"))}')
    trace(f'main: cancelling={t.cancelling()}')
    try:
        await t
    except asyncio.CancelledError as e:
        trace(f'main: {describe(e)}')
    trace(f'main: cancel done -> {int(t.cancel())}; cancelling={t.cancelling()}')

run(main())
