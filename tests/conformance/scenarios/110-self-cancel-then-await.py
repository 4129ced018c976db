"""110 a task that cancels itself is cancelled at its next suspension

A task's cancel() of itself cannot interrupt the running step; it is
delivered when the task next suspends. Awaiting a future that is already
done does not suspend, so the request passes it by; awaiting a pending
future suspends, and the request cancels that future and the task sees
CancelledError there (test_tasks.py test_cancel_current_task,
test_cancel_yield)."""
import asyncio
from harness import run, say


async def body(done, pending):
    me = asyncio.current_task()
    say(f'T: cancel self -> {int(me.cancel())}')
    say(f'T: done future gave {await done}')
    try:
        await pending
    except asyncio.CancelledError:
        say(f'T: cancelled at the pending await; future cancelled={int(pending.cancelled())}')
    return 'survived'


async def main():
    loop = asyncio.get_running_loop()
    done = loop.create_future()
    done.set_result(7)
    pending = loop.create_future()
    t = asyncio.create_task(body(done, pending))
    say(f'main: T returned {await t}')

run(main())
