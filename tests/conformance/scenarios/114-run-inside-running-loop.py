"""114 running a loop from inside a running loop is refused

asyncio.run() called while a loop runs in the thread raises RuntimeError
('asyncio.run() cannot be called from a running event loop');
run_until_complete() on the running loop raises RuntimeError ('This event
loop is already running'), and on another loop RuntimeError ('Cannot run
the event loop while another loop is running'). Nothing runs: the
coroutine passed to run() is closed unstarted, the futures stay pending
(test_runners.py test_asyncio_run_from_running_loop; test_events.py
test_run_until_complete_nesting; base_events.py _check_running)."""
import asyncio
from harness import run, say, describe, VirtualClockLoop


async def never():
    say('never printed')


async def main():
    loop = asyncio.get_running_loop()
    coro = never()
    try:
        asyncio.run(coro)
        say('run: ran')
    except RuntimeError as e:
        say(f'run: {describe(e)}')
    coro.close()
    fut = loop.create_future()
    try:
        loop.run_until_complete(fut)
        say('run_until_complete, same loop: ran')
    except RuntimeError as e:
        say(f'run_until_complete, same loop: {describe(e)}')
    other = VirtualClockLoop()
    other_fut = other.create_future()
    other.call_soon(other_fut.set_result, None)
    try:
        other.run_until_complete(other_fut)
        say('run_until_complete, other loop: ran')
    except RuntimeError as e:
        say(f'run_until_complete, other loop: {describe(e)}')
    other.close()
    say(f'main: still running={int(loop.is_running())}, fut done={int(fut.done())}')

run(main())
